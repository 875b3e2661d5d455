package io.swarmkeeper.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Browser coordinates are kept only when plausible, and then only to about 10 km. */
class BrowserPositionTest {
    @Test
    void everyPointMovesLessThanSevenKilometresToTheCentreOfItsCell() {
        SplittableRandom random = new SplittableRandom(14);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            double lat = random.nextDouble(-89.9, 89.9);
            double lon = random.nextDouble(-180, 180);
            GeoPoint kept = BrowserPosition.coarsen(lat, lon, 20.0);
            worst = Math.max(worst, new GeoPoint(lat, lon).distanceKm(kept));
        }
        assertTrue(worst < 7.2, "moved up to " + worst + " km");
        assertTrue(worst > 5, "cells should be about 10 km across, moved at most " + worst + " km");
    }

    @Test
    void nearbyPointsShareACellAndThePreciseOneIsNotKept() {
        GeoPoint a = BrowserPosition.coarsen(51.50721, -0.12758, 12.0);
        GeoPoint b = BrowserPosition.coarsen(51.50735, -0.12801, 35.0);  // 40 m away
        assertEquals(a, b);
        assertNotEquals(51.50721, a.latitude());
        GeoPoint c = BrowserPosition.coarsen(51.75, -1.25, 12.0);         // Oxford, 80 km away
        assertTrue(a.distanceKm(c) > 60);
    }

    @Test
    void cellsAreAboutAsWideAsTallAwayFromTheEquator() {
        // At 60°N a degree of longitude is half as long: cells span twice as many degrees.
        GeoPoint west = BrowserPosition.coarsen(60.04, 10.00, 10.0);
        GeoPoint east = BrowserPosition.coarsen(60.04, 10.17, 10.0);
        double step = Math.abs(east.longitude() - west.longitude());
        assertTrue(step == 0 || Math.abs(step - 0.18) < 0.01, "longitude step " + step);
        double kmAcross = new GeoPoint(60.04, 10.0).distanceKm(new GeoPoint(60.04, 10.18));
        assertEquals(10, kmAcross, 0.5);
    }

    @Test
    void theEdgesOfTheMapStayOnIt() {
        for (double[] p : new double[][] {{90, 180}, {-90, -180}, {89.99, 179.99}, {0.01, -180}, {-0.01, 180}}) {
            GeoPoint kept = BrowserPosition.coarsen(p[0], p[1], 50.0);
            assertTrue(new GeoPoint(p[0], p[1]).distanceKm(kept) < 7.2, p[0] + "," + p[1] + " → " + kept);
        }
    }

    @ParameterizedTest(name = "{0}, {1} ± {2} m is refused")
    @CsvSource(nullValues = "null", value = {
            "91, 0, 10", "-90.5, 0, 10", "45, 180.5, 10", "45, -181, 10", "NaN, 2, 10", "45, Infinity, 10",
            "0, 0, 10",            // "null island": a default, not a place
            "51.5, -0.12, null",   // no accuracy: the browser's API always gives one
            "51.5, -0.12, 0", "51.5, -0.12, -5", "51.5, -0.12, NaN",
            "51.5, -0.12, 50001",  // coarser than the IP address's city
    })
    void implausiblePositionsAreRefused(double lat, double lon, Double accuracy) {
        assertNull(BrowserPosition.coarsen(lat, lon, accuracy));
    }

    @Test
    void distancesAreGreatCircles() {
        GeoPoint london = new GeoPoint(51.5072, -0.1276);
        GeoPoint sydney = new GeoPoint(-33.8688, 151.2093);
        assertEquals(16_990, london.distanceKm(sydney), 30);
        assertEquals(0, london.distanceKm(london), 1e-9);
        assertEquals(20_015, new GeoPoint(0, 0).distanceKm(new GeoPoint(0, 180)), 1);
    }
}
