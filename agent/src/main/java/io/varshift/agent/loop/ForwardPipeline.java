package io.varshift.agent.loop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.varshift.core.calibration.CellScoreBaseline;
import io.varshift.core.window.BatchProbes;

/**
 * The forwards of one model version's micro-batches. The loop thread fills a batch buffer, hands it
 * over with {@link #submit} and folds finished batches, in the order they were handed over, with
 * {@link #collect}. With one worker the forward runs at once on the loop thread; with more, each
 * worker thread forwards on its own replica of the version (a model's probes serve one forward at a
 * time) while the loop thread polls and decodes the next records into another buffer. There are
 * workers + 1 buffers: when all are taken, the loop thread waits for the oldest batch.
 *
 * <p>Folding in hand-over order keeps a window's sums independent of which worker forwarded what:
 * the same records give the same window, to the bit, with any number of workers.
 */
final class ForwardPipeline implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ForwardPipeline.class);

    /** One micro-batch: its input buffer, what the forward reported, and how it ended. */
    static final class Batch {
        final ByteBuffer bytes;
        final FloatBuffer floats;
        final BatchProbes probes;
        final int[] predicted;
        int samples;
        long firstSample;
        long forwardNanos;
        RuntimeException failure;
        private boolean done;

        private Batch(int batchSize, int sampleFloats, int layers, boolean wantsCells) {
            this.bytes = ByteBuffer.allocateDirect(Math.multiplyExact(batchSize * Float.BYTES, sampleFloats))
                    .order(ByteOrder.nativeOrder());
            this.floats = bytes.asFloatBuffer();
            this.probes = new BatchProbes(layers, wantsCells);
            this.predicted = new int[batchSize];
        }

        private synchronized void start() {
            done = false;
            failure = null;
        }

        private synchronized void finish() {
            done = true;
            notifyAll();
        }

        private synchronized boolean isDone() {
            return done;
        }

        private synchronized void awaitDone() {
            boolean interrupted = false;
            while (!done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    // A forward cannot be abandoned half-way (native code owns the buffer); wait it out.
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final List<CellScoreBaseline> cellScores;
    private final int sampleFloats;
    private final ArrayDeque<Batch> free = new ArrayDeque<>();
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    private final MonitoredModel inline;
    private final List<MonitoredModel> replicas = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private Batch filling;
    private int inFlightSamples;

    /**
     * @param model the version (the lane keeps and closes it); {@code workers - 1} replicas are made of
     *     it and closed with the pipeline
     * @param cellScores the calibration's cell-score baselines, or null
     */
    ForwardPipeline(MonitoredModel model, int workers, int batchSize, List<CellScoreBaseline> cellScores) {
        if (workers < 1) {
            throw new IllegalArgumentException("forward workers = " + workers + ": use at least 1");
        }
        this.cellScores = cellScores;
        int size = 1;
        for (int d : model.sampleShape()) {
            size = Math.multiplyExact(size, d);
        }
        this.sampleFloats = size;
        int layers = model.layers().size();
        for (int i = 0; i < workers + (workers > 1 ? 1 : 0); i++) {
            free.add(new Batch(batchSize, size, layers, cellScores != null));
        }
        if (workers == 1) {
            inline = model;
            return;
        }
        inline = null;
        try {
            for (int w = 0; w < workers; w++) {
                MonitoredModel replica = w == 0 ? model : model.replica();
                if (w > 0) {
                    replicas.add(replica);
                }
                Thread t = new Thread(() -> work(replica), "varshift-forward-" + model.name() + "-" + w);
                t.setDaemon(true);
                threads.add(t);
            }
        } catch (RuntimeException e) {
            replicas.forEach(MonitoredModel::close);
            throw e;
        }
        threads.forEach(Thread::start);
    }

    /** Floats per sample. */
    int sampleFloats() {
        return sampleFloats;
    }

    /**
     * The buffer the next samples go into (floats from position 0, one sample after another), taken
     * from the free ones; when none is free, waits for the oldest batch and folds it into {@code fold}.
     */
    FloatBuffer buffer(Consumer<Batch> fold) {
        if (filling == null) {
            while (free.isEmpty()) {
                foldOldest(fold);
            }
            filling = free.poll();
            filling.floats.clear();
        }
        return filling.floats;
    }

    /**
     * Hands the filled buffer's first {@code samples} samples over to be forwarded; they are the
     * window's samples number {@code firstSample} on (the cell scores' fold index).
     */
    void submit(int samples, long firstSample) {
        Batch batch = filling;
        filling = null;
        batch.samples = samples;
        batch.firstSample = firstSample;
        batch.start();
        batch.bytes.clear().limit(samples * sampleFloats * Float.BYTES);
        inFlight.add(batch);
        inFlightSamples += samples;
        if (inline != null) {
            forward(inline, batch);
        } else {
            queue.add(batch);
        }
    }

    /** Folds the batches that are done, oldest first, stopping at the first that is not; all of them when {@code wait}. */
    void collect(boolean wait, Consumer<Batch> fold) {
        while (!inFlight.isEmpty() && (wait || inFlight.peek().isDone())) {
            foldOldest(fold);
        }
    }

    /** Samples handed over and not yet folded. */
    int inFlightSamples() {
        return inFlightSamples;
    }

    /** Waits for the batches in flight and drops them and the buffer being filled, unfolded. */
    void discard() {
        for (Batch batch : inFlight) {
            batch.awaitDone();
            free.add(batch);
        }
        inFlight.clear();
        inFlightSamples = 0;
        if (filling != null) {
            free.add(filling);
            filling = null;
        }
    }

    private void foldOldest(Consumer<Batch> fold) {
        Batch batch = inFlight.peek();
        batch.awaitDone();
        inFlight.poll();
        inFlightSamples -= batch.samples;
        free.add(batch);
        fold.accept(batch);
    }

    private void work(MonitoredModel replica) {
        while (true) {
            Batch batch;
            try {
                batch = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            forward(replica, batch);
        }
    }

    private void forward(MonitoredModel model, Batch batch) {
        long start = System.nanoTime();
        try {
            batch.probes.clear();
            model.forward(batch.bytes, batch.samples, batch.probes, batch.predicted);
            batch.probes.score(cellScores, batch.predicted, batch.samples, batch.firstSample);
        } catch (RuntimeException e) {
            batch.failure = e;
        } catch (Error e) {
            batch.failure = new IllegalStateException(e.toString(), e);
        } finally {
            batch.forwardNanos = System.nanoTime() - start;
            batch.finish();
        }
    }

    /** Stops the workers after the batches in flight and closes the replicas (not the lane's model). */
    @Override
    public void close() {
        discard();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                LOG.warnf("forward thread %s did not stop within 10 s", t.getName());
            }
        }
        replicas.forEach(MonitoredModel::close);
        replicas.clear();
    }
}
