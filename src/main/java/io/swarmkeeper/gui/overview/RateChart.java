package io.swarmkeeper.gui.overview;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.Palette;
import io.swarmkeeper.monitor.NodeSnapshot.RateSeries;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * Upload and download rates over the last minutes, one point a second, drawn on a canvas: cheap
 * to redraw a few times a second, whatever the number of points.
 */
final class RateChart extends Region {
    private static final double LEFT = 78;
    private static final double RIGHT = 12;
    private static final double TOP = 26;
    private static final double BOTTOM = 24;
    private static final int MIN_SECONDS = 60;
    private final Canvas canvas = new Canvas();
    private RateSeries upload;
    private RateSeries download;
    private final io.swarmkeeper.gui.DrawInFront drawing = new io.swarmkeeper.gui.DrawInFront(this::paint);

    RateChart() {
        getChildren().add(canvas);
        setMinSize(300, 160);
        setPrefSize(640, 240);
    }

    void show(RateSeries upload, RateSeries download) {
        this.upload = upload;
        this.download = download;
        draw();
    }

    /** Draws only while {@code inFront} holds, and at once when it comes to hold. */
    void drawWhile(javafx.beans.value.ObservableBooleanValue inFront) {
        drawing.follow(inFront);
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        draw();
    }

    private void draw() {
        drawing.draw();
    }

    private void paint() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        if (w <= LEFT + RIGHT || h <= TOP + BOTTOM) {
            return;
        }
        double plotW = w - LEFT - RIGHT;
        double plotH = h - TOP - BOTTOM;
        long max = niceCeiling(Math.max(upload == null ? 0 : upload.max(), download == null ? 0 : download.max()));
        // The whole ring's peak sets the scale, so that the scale does not jump as old seconds leave the picture.
        g.setFont(Font.font(11));
        g.setTextBaseline(VPos.CENTER);
        g.setLineWidth(1);
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4;
            g.setStroke(Palette.GRID);
            g.strokeLine(LEFT, y, LEFT + plotW, y);
            g.setFill(Palette.TEXT);
            g.setTextAlign(TextAlignment.RIGHT);
            g.fillText(Formats.rate(max * i / 4), LEFT - 6, y);
        }
        g.setTextBaseline(VPos.TOP);
        int seconds = shownSeconds();
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText(Formats.span(java.time.Duration.ofSeconds(seconds)) + " ago", LEFT, TOP + plotH + 6);
        g.setTextAlign(TextAlignment.RIGHT);
        g.fillText("now", LEFT + plotW, TOP + plotH + 6);
        legend(g, LEFT, 6);
        plot(g, download, Palette.DOWNLOAD, max, plotW, plotH);
        plot(g, upload, Palette.UPLOAD, max, plotW, plotH);
    }

    /** The seconds drawn: those since the monitor began counting, at least a minute, at most all there are. */
    private int shownSeconds() {
        if (upload == null) {
            return MIN_SECONDS;
        }
        long counted = upload.lastSecond() - upload.firstCounted() + 1;
        return (int) Math.max(Math.min(MIN_SECONDS, upload.size()), Math.min(counted, upload.size()));
    }

    private void legend(GraphicsContext g, double x, double y) {
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.TOP);
        g.setFill(Palette.UPLOAD);
        g.fillRect(x, y + 3, 14, 8);
        g.setFill(Palette.TEXT);
        g.fillText("upload (served)", x + 20, y);
        g.setFill(Palette.DOWNLOAD);
        g.fillRect(x + 130, y + 3, 14, 8);
        g.setFill(Palette.TEXT);
        g.fillText("download (fetched)", x + 150, y);
    }

    private void plot(GraphicsContext g, RateSeries series, Color colour, long max, double plotW, double plotH) {
        if (series == null || series.size() < 2) {
            return;
        }
        int n = shownSeconds();
        int skip = series.size() - n;
        double[] xs = new double[n + 2];
        double[] ys = new double[n + 2];
        for (int i = 0; i < n; i++) {
            xs[i] = LEFT + plotW * i / (n - 1);
            ys[i] = TOP + plotH - plotH * series.get(skip + i) / max;
        }
        xs[n] = LEFT + plotW;
        ys[n] = TOP + plotH;
        xs[n + 1] = LEFT;
        ys[n + 1] = TOP + plotH;
        g.setFill(colour.deriveColor(0, 1, 1, 0.18));
        g.fillPolygon(xs, ys, n + 2);
        g.setStroke(colour);
        g.setLineWidth(1.6);
        g.strokePolyline(xs, ys, n);
    }

    /** A round number at or above {@code value}, for the top of the scale: 1, 2 or 5 times a power of ten (at least 1 kB/s). */
    static long niceCeiling(long value) {
        long step = 1000;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (step * m >= value) {
                    return step * m;
                }
            }
            step *= 10;
        }
    }
}
