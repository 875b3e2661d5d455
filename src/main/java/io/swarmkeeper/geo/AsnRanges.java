package io.swarmkeeper.geo;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * IP ranges → AS, from ip-location-db's ASN CSV: one range a line, {@code start,end,asn,organisation}
 * (addresses as text, or as numbers in the {@code -num} files; the organisation quoted when it
 * holds a comma). IPv4 and IPv6 lines may share a file. Kept as sorted arrays of range starts
 * and ends (128-bit as two longs) searched by bisection; AS numbers as unsigned ints, since
 * they go up to 2^32 - 1; organisations shared.
 */
final class AsnRanges implements AsnDatabase {
    private final Path file;
    private final Table v4;
    private final Table v6;
    private final String[] organisations;

    private AsnRanges(Path file, Table v4, Table v6, String[] organisations) {
        this.file = file;
        this.v4 = v4;
        this.v6 = v6;
        this.organisations = organisations;
    }

    /** Reads the whole file; a line that is not a range is an error naming the file and line. */
    static AsnRanges load(Path file) throws GeoDataException {
        Table v4 = new Table();
        Table v6 = new Table();
        Map<String, Integer> orgIndex = new HashMap<>();
        try {
            if (Files.size(file) == 0) {
                throw new GeoDataException(file, "empty: no ASN ranges");
            }
            try (var channel = Files.newByteChannel(file)) {
                channel.position(Files.size(file) - 1);
                java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
                channel.read(last);
                if (last.get(0) != '\n') {
                    throw new GeoDataException(file, "does not end with a line break: cut short (truncated)?");
                }
            }
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder),
                    1 << 16)) {
                String line;
                long number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    String problem = parseLine(line, v4, v6, orgIndex);
                    if (problem != null) {
                        throw new GeoDataException(file, "line " + number + ": " + problem
                                + " (expected start,end,asn,organisation: ip-location-db's ASN CSV)");
                    }
                }
            } catch (CharacterCodingException e) {
                throw new GeoDataException(file, "not text (UTF-8): not an ASN CSV file", e);
            }
        } catch (GeoDataException e) {
            throw e;
        } catch (IOException e) {
            throw new GeoDataException(file, "cannot read: " + e.getMessage(), e);
        }
        if (v4.size == 0 && v6.size == 0) {
            throw new GeoDataException(file, "no ASN ranges in it");
        }
        String[] orgs = new String[orgIndex.size()];
        orgIndex.forEach((name, i) -> orgs[i] = name);
        v4.seal();
        v6.seal();
        return new AsnRanges(file, v4, v6, orgs);
    }

    /** Adds one line's range; returns what is wrong with the line, or null. */
    private static String parseLine(String line, Table v4, Table v6, Map<String, Integer> orgIndex) {
        int c1 = line.indexOf(',');
        int c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
        int c3 = c2 < 0 ? -1 : line.indexOf(',', c2 + 1);
        if (c3 < 0) {
            return "fewer than four fields";
        }
        long[] start = parseAddress(line.substring(0, c1).trim());
        long[] end = parseAddress(line.substring(c1 + 1, c2).trim());
        if (start == null || end == null) {
            return "not an IP address range";
        }
        if (start[2] != end[2]) {
            return "the range mixes IPv4 and IPv6";
        }
        if (compare(start[0], start[1], end[0], end[1]) > 0) {
            return "the range ends before it starts";
        }
        long asn;
        try {
            asn = Long.parseLong(line.substring(c2 + 1, c3).trim());
        } catch (NumberFormatException e) {
            return "not an AS number";
        }
        if (asn < 0 || asn > Asn.MAX) {
            return "AS number out of range";
        }
        String org = line.substring(c3 + 1);
        if (org.startsWith("\"")) {
            if (org.length() < 2 || !org.endsWith("\"")) {
                return "unbalanced quotes";
            }
            org = org.substring(1, org.length() - 1).replace("\"\"", "\"");
        }
        int orgId = orgIndex.computeIfAbsent(org, k -> orgIndex.size());
        (start[2] == 4 ? v4 : v6).add(start[0], start[1], end[0], end[1], (int) asn, orgId);
        return null;
    }

    /** {hi, lo, family} of an address written as text or as a number; null if it is neither. */
    static long[] parseAddress(String text) {
        if (text.isEmpty()) {
            return null;
        }
        if (text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            BigInteger n;
            try {
                n = new BigInteger(text);
            } catch (NumberFormatException e) {
                return null;
            }
            if (n.bitLength() > 128) {
                return null;
            }
            boolean ipv4 = n.bitLength() <= 32;
            return new long[] {n.shiftRight(64).longValue(), n.longValue(), ipv4 ? 4 : 6};
        }
        if (text.indexOf(':') < 0) {
            long v = 0;
            int parts = 0;
            int value = -1;
            for (int i = 0; i <= text.length(); i++) {
                char ch = i < text.length() ? text.charAt(i) : '.';
                if (ch == '.') {
                    if (value < 0 || ++parts > 4) {
                        return null;
                    }
                    v = (v << 8) | value;
                    value = -1;
                } else if (ch >= '0' && ch <= '9') {
                    value = (value < 0 ? 0 : value * 10) + (ch - '0');
                    if (value > 255) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            return parts == 4 ? new long[] {0, v, 4} : null;
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (!(ch == ':' || ch == '.' || Character.digit(ch, 16) >= 0)) {
                return null; // only a literal: never a name that would be resolved
            }
        }
        try {
            byte[] b = InetAddress.getByName(text).getAddress();
            if (b.length == 4) {
                return null; // an IPv4-mapped literal in an IPv6 column: not a form the files use
            }
            return new long[] {bytesToLong(b, 0), bytesToLong(b, 8), 6};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long bytesToLong(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private static int compare(long hi1, long lo1, long hi2, long lo2) {
        int c = Long.compareUnsigned(hi1, hi2);
        return c != 0 ? c : Long.compareUnsigned(lo1, lo2);
    }

    @Override
    public Asn lookup(InetAddress address) {
        InetAddress a = PublicAddress.canonical(address);
        byte[] b = a.getAddress();
        int i;
        Table t;
        if (a instanceof Inet4Address) {
            t = v4;
            i = t.find(0, bytesToLong(new byte[] {0, 0, 0, 0, b[0], b[1], b[2], b[3]}, 0));
        } else {
            t = v6;
            i = t.find(bytesToLong(b, 0), bytesToLong(b, 8));
        }
        return i < 0 ? null : new Asn(Integer.toUnsignedLong(t.asn[i]), organisations[t.org[i]]);
    }

    @Override
    public long size() {
        return v4.size + v6.size;
    }

    @Override
    public Path file() {
        return file;
    }

    /** Ranges of one family, sorted by start once loaded. */
    private static final class Table {
        long[] startHi = new long[1024];
        long[] startLo = new long[1024];
        long[] endHi = new long[1024];
        long[] endLo = new long[1024];
        int[] asn = new int[1024];
        int[] org = new int[1024];
        int size;
        boolean sorted = true;

        void add(long sHi, long sLo, long eHi, long eLo, int as, int organisation) {
            if (size == startHi.length) {
                int n = size * 2;
                startHi = Arrays.copyOf(startHi, n);
                startLo = Arrays.copyOf(startLo, n);
                endHi = Arrays.copyOf(endHi, n);
                endLo = Arrays.copyOf(endLo, n);
                asn = Arrays.copyOf(asn, n);
                org = Arrays.copyOf(org, n);
            }
            if (size > 0 && compare(sHi, sLo, startHi[size - 1], startLo[size - 1]) < 0) {
                sorted = false;
            }
            startHi[size] = sHi;
            startLo[size] = sLo;
            endHi[size] = eHi;
            endLo[size] = eLo;
            asn[size] = as;
            org[size] = organisation;
            size++;
        }

        /** Trims the arrays and sorts by start if the file was not in order. */
        void seal() {
            Integer[] order = null;
            if (!sorted) {
                order = new Integer[size];
                for (int i = 0; i < size; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (x, y) -> compare(startHi[x], startLo[x], startHi[y], startLo[y]));
            }
            long[] sh = new long[size];
            long[] sl = new long[size];
            long[] eh = new long[size];
            long[] el = new long[size];
            int[] as = new int[size];
            int[] or = new int[size];
            for (int i = 0; i < size; i++) {
                int from = order == null ? i : order[i];
                sh[i] = startHi[from];
                sl[i] = startLo[from];
                eh[i] = endHi[from];
                el[i] = endLo[from];
                as[i] = asn[from];
                or[i] = org[from];
            }
            startHi = sh;
            startLo = sl;
            endHi = eh;
            endLo = el;
            asn = as;
            org = or;
            sorted = true;
        }

        /** The index of the range holding the address, or -1. */
        int find(long hi, long lo) {
            int low = 0;
            int high = size - 1;
            int best = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (compare(startHi[mid], startLo[mid], hi, lo) <= 0) {
                    best = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            return best >= 0 && compare(hi, lo, endHi[best], endLo[best]) <= 0 ? best : -1;
        }
    }
}
