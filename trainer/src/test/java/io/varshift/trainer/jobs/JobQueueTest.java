package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.trainer.progress.JobContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobQueueTest {

    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private JobQueue queue;

    /** Jobs on model "block" wait for the test to release them, checking for cancellation meanwhile. */
    private ObjectNode execute(JobRequest request, JobContext context) throws InterruptedException {
        if (request.model().equals("oom")) {
            throw new OutOfMemoryError("Java heap space");
        }
        if (request.model().equals("fail")) {
            throw new IllegalStateException("model 'fail' does not exist");
        }
        if (request.model().equals("block")) {
            started.countDown();
            while (!release.await(10, TimeUnit.MILLISECONDS)) {
                context.checkCancelled();
            }
        }
        context.progress(0.5, "half");
        ObjectNode result = Json.object();
        result.put("model", request.model());
        return result;
    }

    private static ReportRequest report(String model) {
        return new ReportRequest(model, null, 100, 32);
    }

    @AfterEach
    void close() {
        release.countDown();
        if (queue != null) {
            queue.close();
        }
    }

    @Test
    void aJobRunsToSucceededWithItsResult() throws Exception {
        queue = new JobQueue(this::execute, 2, 10, Clock.systemUTC());
        JobView submitted = queue.submit(report("fmnist"));
        JobView done = queue.await(submitted.id());
        assertThat(done.status()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(1.0);
        assertThat(done.result().get("model").asText()).isEqualTo("fmnist");
        assertThat(done.request().get("type").asText()).isEqualTo("report");
    }

    @Test
    void aFailingJobIsFailedWithItsMessageAndTheWorkerGoesOn() throws Exception {
        queue = new JobQueue(this::execute, 2, 10, Clock.systemUTC());
        JobView failed = queue.await(queue.submit(report("fail")).id());
        assertThat(failed.status()).isEqualTo(JobState.FAILED);
        assertThat(failed.message()).isEqualTo("model 'fail' does not exist");
        assertThat(queue.await(queue.submit(report("next")).id()).status()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void anErrorFailsOnlyItsJobWithTheReasonAndTheWorkerGoesOn() throws Exception {
        queue = new JobQueue(this::execute, 2, 10, Clock.systemUTC());
        JobView failed = queue.await(queue.submit(report("oom")).id());
        assertThat(failed.status()).isEqualTo(JobState.FAILED);
        assertThat(failed.message()).isEqualTo("java.lang.OutOfMemoryError: Java heap space");
        assertThat(queue.await(queue.submit(report("next")).id()).status()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void theQueueRefusesWhenCapacityJobsWaitBehindTheRunningOne() throws Exception {
        queue = new JobQueue(this::execute, 1, 10, Clock.systemUTC());
        JobView running = queue.submit(report("block"));
        JobView waiting = queue.submit(report("a"));
        assertThatThrownBy(() -> queue.submit(report("b")))
                .isInstanceOf(QueueFullException.class)
                .hasMessageContaining("varshift.trainer.queue-size");
        started.await();
        release.countDown();
        assertThat(queue.await(running.id()).status()).isEqualTo(JobState.SUCCEEDED);
        assertThat(queue.await(waiting.id()).status()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void cancellingAWaitingJobCancelsItAtOnceAndARunningOneAtItsNextCheck() throws Exception {
        queue = new JobQueue(this::execute, 1, 10, Clock.systemUTC());
        JobView running = queue.submit(report("block"));
        JobView waiting = queue.submit(report("a"));
        started.await();
        assertThat(queue.cancel(waiting.id()).orElseThrow().status()).isEqualTo(JobState.CANCELLED);
        queue.cancel(running.id());
        assertThat(queue.await(running.id()).status()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void cancellingAFinishedJobIsRefusedAndAnUnknownOneIsEmpty() throws Exception {
        queue = new JobQueue(this::execute, 1, 10, Clock.systemUTC());
        JobView done = queue.await(queue.submit(report("x")).id());
        assertThatThrownBy(() -> queue.cancel(done.id())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already finished (SUCCEEDED)");
        assertThat(queue.cancel("nope")).isEmpty();
    }

    @Test
    void onlyTheNewestFinishedJobsAreKept() throws Exception {
        queue = new JobQueue(this::execute, 1, 2, Clock.systemUTC());
        List<String> ids = new java.util.ArrayList<>();
        for (String model : List.of("m1", "m2", "m3")) {
            ids.add(queue.await(queue.submit(report(model)).id()).id());
        }
        assertThat(queue.list()).extracting(JobView::id).containsExactly(ids.get(1), ids.get(2));
    }

    @Test
    void aQueueNeedsRoomForAtLeastOneJob() {
        assertThatThrownBy(() -> new JobQueue(this::execute, 0, 1, Clock.systemUTC()))
                .hasMessageContaining("queue-size");
    }

    static JobDefaults defaults() {
        return new JobDefaults(List.of(256), 1e-4, 2000, Path.of("/tmp/traffic"));
    }
}
