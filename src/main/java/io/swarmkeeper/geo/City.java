package io.swarmkeeper.geo;

/**
 * What the city database says of an address: its position, and for people the city's name and
 * the country (ISO 3166 code); either name may be null.
 */
public record City(GeoPoint point, String name, String country) {}
