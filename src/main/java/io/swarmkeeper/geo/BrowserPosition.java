package io.swarmkeeper.geo;

/**
 * A position a browser's Geolocation API reported, made fit to keep: accepted only when
 * plausible, then coarsened so that what the server holds locates a peer to its district, not
 * its house. Coarsening snaps the point to the centre of a grid cell about 10 km across
 * (0.09° of latitude, and the longitude step that makes the same distance at that latitude),
 * so the point kept is at most about 7 km from the one reported.
 */
public final class BrowserPosition {
    /** Cell size in degrees of latitude: 0.09° ≈ 10 km. */
    static final double CELL_DEGREES = 0.09;
    /** Reported accuracy (metres) beyond which a position says less than the IP address does. */
    public static final double MAX_ACCURACY_METRES = 50_000;

    private BrowserPosition() {}

    /**
     * The coarsened point for a reported position, or null when it is not plausible: outside
     * the valid range, not finite, exactly 0°/0° (a common default, not a place), without an
     * accuracy, or with an accuracy that is not a positive number of at most {@link #MAX_ACCURACY_METRES}.
     */
    public static GeoPoint coarsen(double latitude, double longitude, Double accuracyMetres) {
        if (!Double.isFinite(latitude) || !Double.isFinite(longitude) || latitude < -90 || latitude > 90
                || longitude < -180 || longitude > 180 || (latitude == 0 && longitude == 0)) {
            return null;
        }
        if (accuracyMetres == null || !(accuracyMetres > 0) || accuracyMetres > MAX_ACCURACY_METRES) {
            return null;
        }
        long row = Math.round(Math.floor((latitude + 90) / CELL_DEGREES));
        double lat = Math.min(90, -90 + (row + 0.5) * CELL_DEGREES);
        // Cells as wide as they are tall at this row's latitude; near the poles, a few cells per circle.
        double cos = Math.max(Math.cos(Math.toRadians(lat)), CELL_DEGREES / 180);
        double lonStep = Math.min(360, CELL_DEGREES / cos);
        long column = Math.round(Math.floor((longitude + 180) / lonStep));
        double lon = -180 + (column + 0.5) * lonStep;
        if (lon > 180) {
            lon -= 360;
        }
        return new GeoPoint(lat, Math.max(-180, lon));
    }
}
