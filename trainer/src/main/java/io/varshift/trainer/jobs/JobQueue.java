package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.trainer.progress.JobCancelledException;
import io.varshift.trainer.progress.JobContext;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A bounded queue in front of one worker thread: jobs run one at a time (one device), in order.
 * Submissions beyond {@code capacity} waiting jobs are refused so that callers get back-pressure.
 */
public final class JobQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobQueue.class);

    private final JobExecutor executor;
    private final int capacity;
    private final int history;
    private final Clock clock;
    private final Deque<Job> waiting = new ArrayDeque<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Thread worker;
    private Job running;
    private boolean closed;

    /**
     * @param capacity jobs that may wait behind the running one
     * @param history finished jobs kept for listing (oldest dropped first)
     */
    public JobQueue(JobExecutor executor, int capacity, int history, Clock clock) {
        if (capacity < 1 || history < 1) {
            throw new IllegalArgumentException("job queue: capacity " + capacity + " and history " + history
                    + " must both be >= 1 (varshift.trainer.queue-size / job-history)");
        }
        this.executor = executor;
        this.capacity = capacity;
        this.history = history;
        this.clock = clock;
        this.worker = new Thread(this::work, "varshift-job-worker");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues a job. @throws QueueFullException when {@code capacity} jobs are already waiting */
    public synchronized JobView submit(JobRequest request) {
        if (closed) {
            throw new IllegalStateException("the job queue is shut down");
        }
        // Count the running job too, so the answer does not depend on whether the worker picked it up yet.
        int unfinished = waiting.size() + (running == null ? 0 : 1);
        if (unfinished >= capacity + 1) {
            throw new QueueFullException(capacity, 30);
        }
        Job job = new Job(UUID.randomUUID().toString(), request, clock.instant());
        jobs.put(job.id, job);
        waiting.addLast(job);
        trimHistory();
        notifyAll();
        LOG.infof("job %s queued: %s %s", job.id, request.type().wireName(), request.model());
        return job.view();
    }

    public synchronized Optional<JobView> get(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::view);
    }

    /** All known jobs, oldest first. */
    public synchronized List<JobView> list() {
        List<JobView> out = new ArrayList<>(jobs.size());
        jobs.values().forEach(j -> out.add(j.view()));
        return out;
    }

    /**
     * Cancels a job: a waiting one at once, a running one at its next batch boundary.
     *
     * @return the job after the request, empty if unknown
     * @throws IllegalStateException if the job has already finished
     */
    public synchronized Optional<JobView> cancel(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            return Optional.empty();
        }
        if (job.state.finished()) {
            throw new IllegalStateException("job " + id + " has already finished (" + job.state + ")");
        }
        if (job.state == JobState.QUEUED) {
            waiting.remove(job);
            job.finish(JobState.CANCELLED, "cancelled before it started", null, clock);
        } else {
            job.cancelRequested = true;
            job.message = "cancel requested; stopping at the next batch";
        }
        return Optional.of(job.view());
    }

    /** Blocks until the job has finished (for the command line and tests). */
    public JobView await(String id) throws InterruptedException {
        synchronized (this) {
            while (true) {
                Job job = jobs.get(id);
                if (job == null) {
                    throw new IllegalArgumentException("unknown job " + id);
                }
                if (job.state.finished()) {
                    return job.view();
                }
                wait();
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (Job job : waiting) {
                job.finish(JobState.CANCELLED, "the trainer shut down before the job started", null, clock);
            }
            waiting.clear();
            if (running != null) {
                running.cancelRequested = true;
            }
            notifyAll();
        }
        worker.interrupt();
    }

    private void work() {
        while (true) {
            Job job;
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                job = waiting.removeFirst();
                running = job;
                job.state = JobState.RUNNING;
                job.started = clock.instant();
                job.phase = "starting";
                job.message = "running";
            }
            run(job);
            synchronized (this) {
                running = null;
                notifyAll();
            }
        }
    }

    private void run(Job job) {
        LOG.infof("job %s started: %s %s", job.id, job.request.type().wireName(), job.request.model());
        try {
            ObjectNode result = executor.execute(job.request, job);
            finish(job, JobState.SUCCEEDED, "done", result);
        } catch (JobCancelledException e) {
            finish(job, JobState.CANCELLED, e.getMessage(), null);
        } catch (Throwable e) {
            // A job's failure, even an Error such as OutOfMemoryError in a large job, must never take the
            // worker down: the job's own allocations are garbage once it is failed. The message is what the
            // user sees; for an Error it names the kind too.
            LOG.errorf(e, "job %s failed", job.id);
            finish(job, JobState.FAILED, e instanceof Error || e.getMessage() == null ? e.toString() : e.getMessage(),
                    null);
        }
    }

    private synchronized void finish(Job job, JobState state, String message, ObjectNode result) {
        job.finish(state, message, result, clock);
        LOG.infof("job %s %s: %s", job.id, state, message);
        trimHistory();
    }

    private void trimHistory() {
        long finished = jobs.values().stream().filter(j -> j.state.finished()).count();
        var it = jobs.values().iterator();
        while (finished > history && it.hasNext()) {
            if (it.next().state.finished()) {
                it.remove();
                finished--;
            }
        }
    }

    /** Mutable job state, guarded by the queue's lock except the volatile fields the worker writes. */
    private static final class Job implements JobContext {
        final String id;
        final JobRequest request;
        final Instant submitted;
        volatile JobState state = JobState.QUEUED;
        volatile double progress;
        volatile String phase = "queued";
        volatile String message = "waiting for the worker";
        volatile boolean cancelRequested;
        volatile ObjectNode result;
        volatile Instant started;
        volatile Instant finished;

        Job(String id, JobRequest request, Instant submitted) {
            this.id = id;
            this.request = request;
            this.submitted = submitted;
        }

        @Override
        public void progress(double fraction, String phase) {
            this.progress = Math.max(0, Math.min(1, fraction));
            this.phase = phase;
        }

        @Override
        public void checkCancelled() {
            if (cancelRequested) {
                throw new JobCancelledException();
            }
        }

        void finish(JobState state, String message, ObjectNode result, Clock clock) {
            this.state = state;
            this.message = message;
            this.result = result;
            this.finished = clock.instant();
            if (state == JobState.SUCCEEDED) {
                this.progress = 1;
            }
        }

        JobView view() {
            return new JobView(id, request.type(), request.model(), state, progress, phase, message,
                    request.toJson(), result == null ? null : result.deepCopy(), submitted, started, finished);
        }
    }
}
