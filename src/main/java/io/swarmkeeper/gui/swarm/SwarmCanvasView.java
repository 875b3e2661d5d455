package io.swarmkeeper.gui.swarm;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.Palette;
import io.swarmkeeper.gui.TabView;
import io.swarmkeeper.monitor.NodeSnapshot.PeerState;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;
import javafx.stage.FileChooser;

/**
 * The swarm tab: a live picture of this node and the peers it is linked with. Edges are as thick
 * as the bytes per second on them, blue for uploads, orange for downloads; a failed hash check
 * flashes red; distrusted peers are crossed out in red; peers that left fade.
 */
public final class SwarmCanvasView implements TabView {
    /** Beyond this many peers, their labels would overlap: only the picked one is named. */
    private static final int MAX_LABELS = 48;
    private static final Color IDLE_EDGE = Palette.GRID.darker();
    private static final Color DISTRUSTED_FILL = Palette.FAILURE.deriveColor(0, 0.35, 1.2, 1);
    private final SwarmModel model;
    private final BorderPane root = new BorderPane();
    private final Canvas canvas = new Canvas(600, 400);
    private final Label status = new Label();
    private final Label saved = new Label();
    private final io.swarmkeeper.gui.DrawInFront drawing = new io.swarmkeeper.gui.DrawInFront(this::paint);

    public SwarmCanvasView(SwarmModel model) {
        this.model = model;
        ToggleButton pause = new ToggleButton("Pause");
        pause.setId("swarm-pause");
        pause.selectedProperty().bindBidirectional(model.pausedProperty());
        pause.textProperty().bind(javafx.beans.binding.Bindings.when(model.pausedProperty()).then("Resume").otherwise("Pause"));
        Button export = new Button("Export PNG…");
        export.setId("swarm-export");
        export.setOnAction(e -> chooseAndExport());
        status.setId("swarm-status");
        saved.setId("swarm-saved");
        HBox bar = new HBox(8, pause, export, status, saved);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));

        Pane holder = new Pane(canvas) {
            @Override
            protected void layoutChildren() {
                canvas.setWidth(getWidth());
                canvas.setHeight(getHeight());
                draw();
            }
        };
        holder.setMinSize(200, 200);
        holder.setId("swarm-canvas");
        canvas.setOnMouseClicked(e -> {
            double[] unit = toUnit(e.getX(), e.getY());
            model.pick(unit[0], unit[1], 18 / scale());
        });

        Label details = new Label();
        details.setId("swarm-details");
        details.setWrapText(true);
        details.textProperty().bind(model.detailsProperty());
        details.setPadding(new Insets(6, 8, 6, 8));

        root.setTop(bar);
        root.setCenter(holder);
        root.setBottom(details);
        model.frameProperty().addListener((o, was, now) -> draw());
    }

    private double scale() {
        return Math.max(40, Math.min(canvas.getWidth(), canvas.getHeight()) / 2 - 60);
    }

    /** Where {@code peerId} is drawn, in the canvas's coordinates; null when it is not drawn. */
    public javafx.geometry.Point2D pointOf(String peerId) {
        for (SwarmModel.Placed p : model.placed()) {
            if (p.peer().peerId().equals(peerId)) {
                return new javafx.geometry.Point2D(canvas.getWidth() / 2 + p.x() * scale(),
                        canvas.getHeight() / 2 + p.y() * scale());
            }
        }
        return null;
    }

    /** The canvas drawn on. */
    public Canvas canvas() {
        return canvas;
    }

    private double[] toUnit(double px, double py) {
        return new double[] {(px - canvas.getWidth() / 2) / scale(), (py - canvas.getHeight() / 2) / scale()};
    }

    @Override
    public void drawWhile(javafx.beans.value.ObservableBooleanValue inFront) {
        drawing.follow(inFront);
    }

    /** Draws the picture, unless the tab is behind another (the next frame after it comes forward draws it). */
    private void draw() {
        drawing.draw();
    }

    private void paint() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double cx = w / 2;
        double cy = h / 2;
        double r = scale();
        var placed = model.placed();
        long linked = placed.stream().filter(p -> p.peer().linked()).count();
        status.setText(linked + " linked" + (model.pausedProperty().get() ? " — paused" : "")
                + (model.flashCount() > 0 ? " — " + model.flashCount() + " failed hash check(s) seen" : ""));

        // One pass gathers every shape by layer, each kind of stroke into one path (ShapeBatch);
        // the layers are then painted bottom up: edges, flashes, this node, halos, peers, marks.
        ShapeBatch edges = new ShapeBatch();
        ShapeBatch flashes = new ShapeBatch();
        ShapeBatch halos = new ShapeBatch();
        ShapeBatch peers = new ShapeBatch();
        ShapeBatch marks = new ShapeBatch();
        for (SwarmModel.Placed p : placed) {
            PeerState s = p.peer();
            double px = cx + p.x() * r;
            double py = cy + p.y() * r;
            double alpha = alphaOf(s);
            double nx = -(py - cy);
            double ny = px - cx;
            double len = Math.max(1, Math.hypot(nx, ny));
            nx /= len;
            ny /= len;
            boolean any = false;
            if (s.uploadRate() > 0) {
                edges.line(cx + nx * 3, cy + ny * 3, px + nx * 3, py + ny * 3, Palette.UPLOAD, width(s.uploadRate()), alpha);
                any = true;
            }
            if (s.downloadRate() > 0) {
                edges.line(cx - nx * 3, cy - ny * 3, px - nx * 3, py - ny * 3, Palette.DOWNLOAD, width(s.downloadRate()), alpha);
                any = true;
            }
            if (!any && s.linked()) {
                edges.line(cx, cy, px, py, IDLE_EDGE, 1, alpha);
            }
            if (p.flash() > 0) {
                flashes.line(cx, cy, px, py, Palette.FAILURE, 3, p.flash());
                halos.disc(px, py, 24, Palette.FAILURE, 0.45 * p.flash());
            }
            if (s.linked()) {
                peers.disc(px, py, 11, s.distrusted() ? DISTRUSTED_FILL : Palette.PEER, alpha);
            } else {
                peers.ring(px, py, 10, s.distrusted() ? Palette.FAILURE : Palette.PEER, 2.5, alpha);
            }
            if (s.peerId().equals(model.selected())) {
                marks.ring(px, py, 15, Palette.TEXT, 2.5, alpha);
            }
            if (s.distrusted()) {
                marks.line(px - 13, py - 13, px + 13, py + 13, Palette.FAILURE, 3.5, alpha);
                marks.line(px - 13, py + 13, px + 13, py - 13, Palette.FAILURE, 3.5, alpha);
            }
        }
        edges.paint(g);
        flashes.paint(g);
        // This node.
        if (model.centreFlash() > 0) {
            g.setFill(Palette.FAILURE.deriveColor(0, 1, 1, 0.35 * model.centreFlash()));
            g.fillOval(cx - 40, cy - 40, 80, 80);
        }
        g.setFill(Palette.SELF);
        g.fillOval(cx - 20, cy - 20, 40, 40);
        g.setFont(Font.font(null, FontWeight.BOLD, 12));
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        g.setFill(Palette.TEXT);
        g.fillText("this node" + (model.self().isEmpty() ? "" : " " + model.self()), cx, cy + 24);
        halos.paint(g);
        peers.paint(g);
        marks.paint(g);
        g.setFont(Font.font(11));
        for (SwarmModel.Placed p : placed) {
            PeerState s = p.peer();
            if (placed.size() <= MAX_LABELS || s.peerId().equals(model.selected())) {
                double px = cx + p.x() * r;
                double py = cy + p.y() * r;
                // Outward from the centre, so that neighbours on the ring do not write over each other.
                g.setGlobalAlpha(alphaOf(s));
                g.setFill(s.distrusted() ? Palette.FAILURE : Palette.TEXT);
                g.setTextBaseline(VPos.CENTER);
                double lx = px + p.x() * 18;
                double ly = py + p.y() * 18;
                if (Math.abs(p.x()) < 0.1) {
                    g.setTextAlign(TextAlignment.CENTER);
                    ly = py + Math.signum(p.y()) * 20;
                } else {
                    g.setTextAlign(p.x() > 0 ? TextAlignment.LEFT : TextAlignment.RIGHT);
                }
                g.fillText(s.peerId(), lx, ly);
            }
        }
        g.setGlobalAlpha(1);
        legend(g, h);
    }

    /** A peer drawn fainter as it fades out after leaving. */
    private static double alphaOf(PeerState s) {
        return 0.25 + 0.75 * s.fade();
    }

    private static double width(long bytesPerSecond) {
        return Math.min(12, 1.5 + 2 * Math.log10(1 + bytesPerSecond / 1000.0));
    }

    private static void legend(GraphicsContext g, double h) {
        g.setFont(Font.font(11));
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        double y = h - 16;
        double x = 10;
        Object[][] items = {{Palette.UPLOAD, "upload"}, {Palette.DOWNLOAD, "download"},
                {Palette.FAILURE, "failed hash check / distrusted (✖)"}, {Palette.PEER, "filled: linked, ring: left"}};
        for (Object[] item : items) {
            g.setFill((Color) item[0]);
            g.fillRect(x, y - 4, 18, 8);
            g.setFill(Palette.TEXT);
            g.fillText((String) item[1], x + 24, y);
            x += 24 + 6.5 * ((String) item[1]).length() + 18;
        }
        g.setTextAlign(TextAlignment.RIGHT);
        g.fillText("edge width: bytes per second", g.getCanvas().getWidth() - 10, y);
    }

    /** The picture as it is drawn now. FX thread. */
    public WritableImage image() {
        paint();
        return canvas.snapshot(null, null);
    }

    /** Writes the picture to {@code file} as a PNG. FX thread (the writing itself may be anywhere). */
    public void exportPng(Path file) throws IOException {
        PngExport.write(image(), file);
    }

    private void chooseAndExport() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the swarm picture");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("PNG image", "*.png"));
        chooser.setInitialFileName("swarm-" + Formats.clock(model.at()).replace(':', '-') + ".png");
        File file = chooser.showSaveDialog(root.getScene() == null ? null : root.getScene().getWindow());
        if (file == null) {
            return;
        }
        try {
            exportPng(file.toPath());
            saved.setText("Saved " + file.getName());
        } catch (IOException e) {
            saved.setText("Could not save the picture: " + e.getMessage());
        }
    }

    @Override
    public Node root() {
        return root;
    }
}
