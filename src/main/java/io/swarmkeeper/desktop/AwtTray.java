package io.swarmkeeper.desktop;

import java.awt.AWTException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.MenuItem;
import java.awt.PopupMenu;
import java.awt.RenderingHints;
import java.awt.SystemTray;
import java.awt.TrayIcon;
import java.awt.image.BufferedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tray through {@code java.awt.SystemTray}: an icon with "Open Swarmkeeper" and "Quit". */
final class AwtTray implements Tray {
    private static final Logger log = LoggerFactory.getLogger(AwtTray.class);
    private TrayIcon icon;

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public synchronized void show(String tooltip, Runnable open, Runnable quit) {
        if (icon != null) {
            icon.setToolTip(tooltip);
            return;
        }
        PopupMenu menu = new PopupMenu();
        MenuItem openItem = new MenuItem("Open Swarmkeeper");
        openItem.addActionListener(e -> open.run());
        MenuItem quitItem = new MenuItem("Quit");
        quitItem.addActionListener(e -> quit.run());
        menu.add(openItem);
        menu.addSeparator();
        menu.add(quitItem);
        TrayIcon made = new TrayIcon(image(), tooltip, menu);
        made.setImageAutoSize(true);
        made.addActionListener(e -> open.run());
        try {
            SystemTray.getSystemTray().add(made);
            icon = made;
        } catch (AWTException | RuntimeException e) {
            log.warn("could not put the icon in the system tray: {}", e.toString());
        }
    }

    @Override
    public synchronized void remove() {
        if (icon != null) {
            SystemTray.getSystemTray().remove(icon);
            icon = null;
        }
    }

    /** A small drawn icon: a node with three peers around it. */
    private static BufferedImage image() {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(0x2e7d32));
        int[][] peers = {{16, 4}, {5, 24}, {27, 24}};
        for (int[] p : peers) {
            g.drawLine(16, 16, p[0], p[1]);
            g.fillOval(p[0] - 4, p[1] - 4, 8, 8);
        }
        g.fillOval(10, 10, 12, 12);
        g.dispose();
        return image;
    }
}
