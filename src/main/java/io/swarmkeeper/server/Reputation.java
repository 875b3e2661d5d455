package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What askers said of the holders they were given: {@code report} (bad bytes, a broken protocol,
 * stalls) and {@code served} (verified bytes delivered). The rules, written out in
 * docs/protocol.md:
 * <ul>
 *   <li>A report follows both peers: it is held against the reported id (also after it resumes)
 *       and against any id that joins from the reported peer's network after the report (a liar
 *       that reconnects without its token); and it speaks for the reporter's id and for ids that
 *       join later from its network (the same visitor after a reload). Peers of those networks
 *       that were connected before the report are not touched by it.</li>
 *   <li>A reporter is never matched again with the peer it reported.</li>
 *   <li>For everyone else, a holder is left out for a resource once {@link #EXCLUDE_AFTER}
 *       networks reported it about that resource and they outnumber the networks it served
 *       verified bytes to; and for every resource once that many networks reported it about at
 *       least two resources and they outnumber twice its served record.</li>
 * </ul>
 * Everything counts by network (IPv4 address, IPv6 /64), never by id: one machine cannot outvote
 * others however many ids it opens. Reports are kept an hour, served records a day, both within
 * bounded memory. Thread-safe.
 */
final class Reputation {
    /** Networks whose reports leave a holder out (when they outnumber its served record). */
    static final int EXCLUDE_AFTER = 3;
    static final long REPORT_MEMORY_NANOS = 3_600_000_000_000L;
    static final long SERVED_MEMORY_NANOS = 24 * REPORT_MEMORY_NANOS;
    /** Entries kept at once, oldest dropped first. */
    static final int MAX_REPORTS = 200_000;
    static final int MAX_VOUCHES = 200_000;
    /** Reports kept against one subject (an id or a network), oldest dropped first. */
    static final int MAX_PER_SUBJECT = 512;
    /** Resources one network may report one peer about (so that no network can crowd out others' reports). */
    static final int MAX_RESOURCES_PER_REPORTER = 4;
    /** Reports (and confirmations) one network may have on record at once; more are not taken. */
    static final int MAX_PER_NETWORK = 1024;

    /** One side of a report or a vouch: a peer id, the network it connected from, when it joined. */
    record Party(String id, InetAddress network, long joinedNanos) {}

    /** One network's report of one peer about one resource; the reporter ids it came from (a few). */
    private record Report(Set<String> reporterIds, InetAddress reporterNetwork, String subjectId,
                          InetAddress subjectNetwork, ResourceId resource, long at) {}

    private record ReportKey(InetAddress reporterNetwork, String subjectId, ResourceId resource) {
        static ReportKey of(Report r) {
            return new ReportKey(r.reporterNetwork(), r.subjectId(), r.resource());
        }
    }

    private record PairKey(InetAddress reporterNetwork, String subjectId) {}

    private record Vouch(InetAddress voucherNetwork, String subjectId, long at) {}

    private record VouchKey(InetAddress voucherNetwork, String subjectId) {}

    private final Map<ReportKey, Report> reports = new LinkedHashMap<>();
    private final Map<String, Deque<Report>> againstId = new HashMap<>();
    private final Map<InetAddress, Deque<Report>> againstNetwork = new HashMap<>();
    private final Map<VouchKey, Vouch> vouches = new LinkedHashMap<>();
    private final Map<String, Set<InetAddress>> vouchersOf = new HashMap<>();
    /** Resources each network reported each peer about. */
    private final Map<PairKey, Integer> resourcesReported = new HashMap<>();
    /** Reports and confirmations on record per network. */
    private final Map<InetAddress, Integer> perNetwork = new HashMap<>();

    /**
     * Records a report about {@code resource} (one the reporter was offered the subject for);
     * true when it was new: once per reporter network, subject and resource, at most
     * {@link #MAX_RESOURCES_PER_REPORTER} resources per network and subject.
     */
    synchronized boolean report(Party reporter, Party subject, ResourceId resource, long now) {
        expire(now);
        if (reporter.id().equals(subject.id()) || resource == null) {
            return false;
        }
        ReportKey key = new ReportKey(reporter.network(), subject.id(), resource);
        Report known = reports.get(key);
        if (known != null) {
            if (known.reporterIds().size() < 8) {
                known.reporterIds().add(reporter.id()); // the same network, another id: it speaks for it too
            }
            return false;
        }
        PairKey pair = new PairKey(reporter.network(), subject.id());
        if (resourcesReported.getOrDefault(pair, 0) >= MAX_RESOURCES_PER_REPORTER
                || perNetwork.getOrDefault(reporter.network(), 0) >= MAX_PER_NETWORK) {
            return false;
        }
        if (reports.size() >= MAX_REPORTS) {
            drop(reports.values().iterator().next());
        }
        Set<String> ids = new HashSet<>(2);
        ids.add(reporter.id());
        Report r = new Report(ids, reporter.network(), subject.id(), subject.network(), resource, now);
        reports.put(key, r);
        resourcesReported.merge(pair, 1, Integer::sum);
        perNetwork.merge(reporter.network(), 1, Integer::sum);
        index(againstId.computeIfAbsent(subject.id(), k -> new ArrayDeque<>()), r);
        index(againstNetwork.computeIfAbsent(subject.network(), k -> new ArrayDeque<>()), r);
        // A served record from the reporter contradicts the report: the report wins.
        Vouch withdrawn = vouches.remove(new VouchKey(reporter.network(), subject.id()));
        if (withdrawn != null) {
            unindex(withdrawn);
        }
        return true;
    }

    private void index(Deque<Report> list, Report r) {
        list.addLast(r);
        if (list.size() > MAX_PER_SUBJECT) {
            drop(list.peekFirst()); // never r: r is the newest
        }
    }

    /** Forgets one report everywhere it is counted. */
    private void drop(Report r) {
        reports.remove(ReportKey.of(r));
        unindex(r);
        resourcesReported.computeIfPresent(new PairKey(r.reporterNetwork(), r.subjectId()), (k, n) -> n <= 1 ? null : n - 1);
        perNetwork.computeIfPresent(r.reporterNetwork(), (k, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Records that {@code voucher} received verified bytes from {@code subject}; true when new.
     * Ignored from the subject's own network and from a network that reported it.
     */
    synchronized boolean vouch(Party voucher, Party subject, long now) {
        expire(now);
        if (voucher.network().equals(subject.network()) || reportedByNetwork(voucher.network(), subject, now)) {
            return false;
        }
        VouchKey key = new VouchKey(voucher.network(), subject.id());
        if (vouches.containsKey(key) || perNetwork.getOrDefault(voucher.network(), 0) >= MAX_PER_NETWORK) {
            return false;
        }
        if (vouches.size() >= MAX_VOUCHES) {
            Iterator<Vouch> oldest = vouches.values().iterator();
            Vouch v = oldest.next();
            oldest.remove();
            unindex(v);
        }
        vouches.put(key, new Vouch(voucher.network(), subject.id(), now));
        vouchersOf.computeIfAbsent(subject.id(), k -> new HashSet<>()).add(voucher.network());
        perNetwork.merge(voucher.network(), 1, Integer::sum);
        return true;
    }

    /** True when {@code holder} must not be offered to {@code asker} for {@code resource}. */
    synchronized boolean excludes(Party asker, Party holder, ResourceId resource, long now) {
        List<Report> against = reportsAgainst(holder, now);
        if (against.isEmpty()) {
            return false;
        }
        Set<InetAddress> forResource = new HashSet<>();
        Set<InetAddress> all = new HashSet<>();
        Set<ResourceId> resources = new HashSet<>();
        for (Report r : against) {
            if (speaksFor(r, asker)) {
                return true;
            }
            all.add(r.reporterNetwork());
            resources.add(r.resource());
            if (r.resource().equals(resource)) {
                forResource.add(r.reporterNetwork());
            }
        }
        int served = servedRecord(holder.id());
        if (forResource.size() >= EXCLUDE_AFTER && forResource.size() > served) {
            return true;
        }
        return all.size() >= EXCLUDE_AFTER && resources.size() >= 2 && all.size() > 2 * served;
    }

    /** Networks that received verified bytes from {@code peerId} within the last day. */
    synchronized int servedRecord(String peerId) {
        Set<InetAddress> vouchers = vouchersOf.get(peerId);
        return vouchers == null ? 0 : vouchers.size();
    }

    /** Everything on record: reports, confirmations and the indexes' entries (for tests). */
    synchronized int entries() {
        return reports.size() + vouches.size() + vouchersOf.size();
    }

    /** Different networks that reported {@code peerId} itself (by id) within the hour. */
    synchronized int reporters(String peerId) {
        Deque<Report> list = againstId.get(peerId);
        if (list == null) {
            return 0;
        }
        Set<InetAddress> networks = new HashSet<>();
        for (Report r : list) {
            networks.add(r.reporterNetwork());
        }
        return networks.size();
    }

    /** True when {@code network} reported {@code subject} (by its id or its network), whenever that was. */
    private boolean reportedByNetwork(InetAddress network, Party subject, long now) {
        expire(now);
        for (Deque<Report> list : java.util.Arrays.asList(againstId.get(subject.id()), againstNetwork.get(subject.network()))) {
            if (list != null) {
                for (Report r : list) {
                    if (r.reporterNetwork().equals(network)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Reports held against {@code holder}: by its id, and by its network if it joined after them. */
    private List<Report> reportsAgainst(Party holder, long now) {
        expire(now);
        List<Report> result = new ArrayList<>();
        Deque<Report> byId = againstId.get(holder.id());
        if (byId != null) {
            result.addAll(byId);
        }
        Deque<Report> byNetwork = againstNetwork.get(holder.network());
        if (byNetwork != null) {
            for (Report r : byNetwork) {
                if (!r.subjectId().equals(holder.id()) && holder.joinedNanos() - r.at() > 0) {
                    result.add(r);
                }
            }
        }
        return result;
    }

    /** True when a report was made by {@code asker}: its id, or a later id from its network. */
    private static boolean speaksFor(Report r, Party asker) {
        return r.reporterIds().contains(asker.id())
                || (r.reporterNetwork().equals(asker.network()) && asker.joinedNanos() - r.at() > 0);
    }

    private void expire(long now) {
        for (Iterator<Report> it = reports.values().iterator(); it.hasNext(); ) {
            Report r = it.next();
            if (now - r.at() <= REPORT_MEMORY_NANOS) {
                break; // kept in order of arrival
            }
            drop(r);
            it = reports.values().iterator();
        }
        for (Iterator<Vouch> it = vouches.values().iterator(); it.hasNext(); ) {
            Vouch v = it.next();
            if (now - v.at() <= SERVED_MEMORY_NANOS) {
                break;
            }
            it.remove();
            unindex(v);
        }
    }

    private void unindex(Report r) {
        Deque<Report> byId = againstId.get(r.subjectId());
        if (byId != null && byId.remove(r) && byId.isEmpty()) {
            againstId.remove(r.subjectId());
        }
        Deque<Report> byNetwork = againstNetwork.get(r.subjectNetwork());
        if (byNetwork != null && byNetwork.remove(r) && byNetwork.isEmpty()) {
            againstNetwork.remove(r.subjectNetwork());
        }
    }

    private void unindex(Vouch v) {
        Set<InetAddress> vouchers = vouchersOf.get(v.subjectId());
        if (vouchers != null && vouchers.remove(v.voucherNetwork()) && vouchers.isEmpty()) {
            vouchersOf.remove(v.subjectId());
        }
        perNetwork.computeIfPresent(v.voucherNetwork(), (k, n) -> n <= 1 ? null : n - 1);
    }
}
