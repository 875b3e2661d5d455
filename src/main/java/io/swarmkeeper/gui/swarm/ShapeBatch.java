package io.swarmkeeper.gui.swarm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

/**
 * Lines and circles gathered by how they are painted, then drawn as one path per look. The
 * software renderer sets up each shape at a cost (a thousand separate strokes took 60–80 ms a
 * frame); a path with a thousand segments is set up once. Widths are rounded to half a pixel and
 * opacities to a twentieth, so that a swarm's edges fall into a few looks.
 */
final class ShapeBatch {
    private enum Kind { LINES, DISCS, RINGS }

    private record Look(Kind kind, Color colour, double width, double alpha) {}

    /** Coordinates of one look: x1,y1,x2,y2 per line; x,y,radius,unused per circle. */
    private static final class Coordinates {
        double[] values = new double[64];
        int size;

        void add(double a, double b, double c, double d) {
            if (size + 4 > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = a;
            values[size++] = b;
            values[size++] = c;
            values[size++] = d;
        }
    }

    private final Map<Look, Coordinates> looks = new LinkedHashMap<>();

    void line(double x1, double y1, double x2, double y2, Color colour, double width, double alpha) {
        add(new Look(Kind.LINES, colour, Math.round(width * 2) / 2.0, quantised(alpha))).add(x1, y1, x2, y2);
    }

    void disc(double x, double y, double radius, Color colour, double alpha) {
        add(new Look(Kind.DISCS, colour, 0, quantised(alpha))).add(x, y, radius, 0);
    }

    void ring(double x, double y, double radius, Color colour, double width, double alpha) {
        add(new Look(Kind.RINGS, colour, Math.round(width * 2) / 2.0, quantised(alpha))).add(x, y, radius, 0);
    }

    /** Paints what was gathered, in the order the looks first appeared, and forgets it. */
    void paint(GraphicsContext g) {
        for (Map.Entry<Look, Coordinates> entry : looks.entrySet()) {
            Look look = entry.getKey();
            double[] v = entry.getValue().values;
            int n = entry.getValue().size;
            if (look.alpha() <= 0) {
                continue;
            }
            g.setGlobalAlpha(look.alpha());
            g.beginPath();
            for (int i = 0; i < n; i += 4) {
                if (look.kind() == Kind.LINES) {
                    g.moveTo(v[i], v[i + 1]);
                    g.lineTo(v[i + 2], v[i + 3]);
                } else {
                    g.moveTo(v[i] + v[i + 2], v[i + 1]);
                    g.arc(v[i], v[i + 1], v[i + 2], v[i + 2], 0, 360);
                    g.closePath();
                }
            }
            if (look.kind() == Kind.DISCS) {
                g.setFill(look.colour());
                g.fill();
            } else {
                g.setStroke(look.colour());
                g.setLineWidth(look.width());
                g.stroke();
            }
        }
        g.setGlobalAlpha(1);
        looks.clear();
    }

    private Coordinates add(Look look) {
        return looks.computeIfAbsent(look, l -> new Coordinates());
    }

    private static double quantised(double alpha) {
        return Math.round(Math.max(0, Math.min(1, alpha)) * 20) / 20.0;
    }
}
