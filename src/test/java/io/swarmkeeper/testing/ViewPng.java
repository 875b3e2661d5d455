package io.swarmkeeper.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.Scene;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;

/** Renders a view's scene to {@code target/screenshots/NAME.png}, for people to look at (no javafx-swing needed). */
public final class ViewPng {
    private ViewPng() {}

    /** On the FX thread. */
    public static Path save(Scene scene, String name) throws IOException {
        WritableImage image = scene.snapshot(null);
        int width = (int) image.getWidth();
        int height = (int) image.getHeight();
        BufferedImage png = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        PixelReader pixels = image.getPixelReader();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                png.setRGB(x, y, pixels.getArgb(x, y));
            }
        }
        Path file = Files.createDirectories(Path.of("target", "screenshots")).resolve(name + ".png");
        ImageIO.write(png, "png", file.toFile());
        return file;
    }
}
