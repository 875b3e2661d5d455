package io.swarmkeeper.geo;

/**
 * A point on the Earth, in degrees (WGS 84, as the databases and browsers give it). It keeps
 * its unit vector too, so that a distance costs a square root and an arc sine: a ranking
 * measures thousands per {@code want}.
 */
public final class GeoPoint {
    /** The mean Earth radius the great-circle distance is computed with. */
    public static final double EARTH_RADIUS_KM = 6371.0088;

    private final double latitude;
    private final double longitude;
    private final double x;
    private final double y;
    private final double z;

    public GeoPoint(double latitude, double longitude) {
        if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("not a position: " + latitude + ", " + longitude);
        }
        this.latitude = latitude;
        this.longitude = longitude;
        double lat = Math.toRadians(latitude);
        double lon = Math.toRadians(longitude);
        double cosLat = Math.cos(lat);
        this.x = cosLat * Math.cos(lon);
        this.y = cosLat * Math.sin(lon);
        this.z = Math.sin(lat);
    }

    public double latitude() {
        return latitude;
    }

    public double longitude() {
        return longitude;
    }

    /**
     * The great-circle distance to {@code other} in kilometres: 2R·asin(c/2), c the chord
     * between the two unit vectors (the haversine formula, computed from the chord).
     */
    public double distanceKm(GeoPoint other) {
        double dx = x - other.x;
        double dy = y - other.y;
        double dz = z - other.z;
        double halfChord = Math.sqrt(dx * dx + dy * dy + dz * dz) / 2;
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, halfChord));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeoPoint p && Double.compare(latitude, p.latitude) == 0
                && Double.compare(longitude, p.longitude) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(latitude) * 31 + Double.hashCode(longitude);
    }

    @Override
    public String toString() {
        return "GeoPoint[" + latitude + ", " + longitude + "]";
    }
}
