package io.varshift.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the Kafka cluster answers: an Admin describeCluster with a short timeout, cached so that
 * health probes do not each cost a round trip. A consumer's poll does not fail while the broker is
 * gone (it returns nothing), so readiness asks the cluster itself.
 */
public final class BrokerCheck implements AutoCloseable {

    private final Admin admin;
    private final Duration timeout;
    private final Duration cacheFor;
    private final Clock clock;
    private Instant checkedAt;
    private boolean reachable;
    private String detail = "not checked yet";

    public BrokerCheck(Admin admin, Duration timeout, Duration cacheFor, Clock clock) {
        this.admin = admin;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.clock = clock;
    }

    public synchronized boolean reachable() {
        Instant now = clock.instant();
        if (checkedAt == null || !now.isBefore(checkedAt.plus(cacheFor))) {
            try {
                int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                        .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS).size();
                reachable = nodes > 0;
                detail = nodes + " broker(s)";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reachable = false;
                detail = "interrupted";
            } catch (Exception e) {
                reachable = false;
                detail = "no answer from the cluster within " + timeout.toMillis() + " ms: " + e;
            }
            checkedAt = clock.instant();
        }
        return reachable;
    }

    /** What the last check found. */
    public synchronized String detail() {
        return detail;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
