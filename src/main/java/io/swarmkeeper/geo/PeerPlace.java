package io.swarmkeeper.geo;

/**
 * Where a peer is, as far as the server can tell: a point (from the browser, coarsened, or the
 * IP address's city), the city and country for people, and the AS its address belongs to. Any
 * part may be null; {@link #UNKNOWN} has none. Only {@link #city()} and {@link #country()} ever
 * leave the server; the point and the AS stay in it.
 */
public record PeerPlace(GeoPoint point, String city, String country, Asn asn, boolean fromBrowser) {
    public static final PeerPlace UNKNOWN = new PeerPlace(null, null, null, null, false);

    /** The city's name as shown: DB-IP's district in parentheses ("Hanover (Buchholz-Kleefeld)") dropped. */
    public static String cityName(String name) {
        if (name == null) {
            return null;
        }
        int paren = name.indexOf(" (");
        String city = (paren > 0 ? name.substring(0, paren) : name).strip();
        return city.isEmpty() ? null : city;
    }

    public boolean located() {
        return point != null;
    }

    /** "City, CC", "CC", or null: all that other peers and people may learn of where it is. */
    public String label() {
        if (city != null && country != null) {
            return city + ", " + country;
        }
        return city != null ? city : country;
    }
}
