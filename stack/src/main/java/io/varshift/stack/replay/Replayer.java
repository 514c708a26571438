package io.varshift.stack.replay;

import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.data.ImageSet;

/** Plays images from an {@link ImageSet} into a {@link RecordSink} at a paced rate, shifting them on cue. */
final class Replayer {

    /** Header carrying whether a record was shifted: the ground truth for end-to-end checks. */
    static final String SHIFTED_HEADER = "varshift-replay-shifted";

    private final ReplayPlan plan;
    private final ImageSet images;
    private final RecordSink sink;
    private final Ticker ticker;
    private final PrintStream progress;

    Replayer(ReplayPlan plan, ImageSet images, RecordSink sink, Ticker ticker, PrintStream progress) {
        long[] shape = images.sampleShape();
        if (shape.length != 3 || shape[0] != 1) {
            throw new IllegalArgumentException("replay needs single-channel images [1, H, W], got "
                    + java.util.Arrays.toString(shape));
        }
        if (images.size() == 0) {
            throw new IllegalArgumentException("the image set is empty");
        }
        this.plan = plan;
        this.images = images;
        this.sink = sink;
        this.ticker = ticker;
        this.progress = progress;
    }

    ReplaySummary run() {
        long[] sampleShape = images.sampleShape();
        int height = (int) sampleShape[1];
        int width = (int) sampleShape[2];
        int pixels = images.sampleSize();
        int[] recordShape = {plan.batch(), 1, height, width};
        float[] batch = new float[plan.batch() * pixels];
        float[] image = new float[pixels];
        float[] shifted = new float[pixels];
        FloatBuffer imageBuffer = FloatBuffer.wrap(image);
        Random random = new Random(plan.seed());
        String runId = UUID.randomUUID().toString().substring(0, 8);
        long nanosPerRecord = plan.rate() > 0 ? Math.round(1e9 / plan.rate()) : 0;

        long start = ticker.nanoTime();
        long nextProgress = start + (long) (plan.progressSeconds() * 1e9);
        long onsetRecord = -1;
        double onsetSeconds = Double.NaN;
        long imageIndex = plan.startImage();
        for (long i = 0; i < plan.count(); i++) {
            if (nanosPerRecord > 0) {
                ticker.sleepUntil(start + i * nanosPerRecord);
            }
            double elapsed = (ticker.nanoTime() - start) / 1e9;
            boolean shift = plan.shifted(i, elapsed);
            if (shift && onsetRecord < 0) {
                onsetRecord = i;
                onsetSeconds = elapsed;
            }
            for (int s = 0; s < plan.batch(); s++) {
                imageBuffer.clear();
                images.copySample((int) (imageIndex++ % images.size()), imageBuffer);
                if (shift) {
                    plan.shift().apply(image, shifted, height, width, plan.severity(), random);
                    System.arraycopy(shifted, 0, batch, s * pixels, pixels);
                } else {
                    System.arraycopy(image, 0, batch, s * pixels, pixels);
                }
            }
            sink.send(plan.format().encode(batch, recordShape), headers(runId, i, shift));
            long now = ticker.nanoTime();
            if (now >= nextProgress) {
                printProgress(i + 1, (now - start) / 1e9, onsetRecord);
                nextProgress = now + (long) (plan.progressSeconds() * 1e9);
            }
        }
        sink.flush();
        double seconds = (ticker.nanoTime() - start) / 1e9;
        return new ReplaySummary(plan.topic(), plan.model(), plan.count(), plan.count() * plan.batch(), seconds,
                plan.shiftLabel(), onsetRecord, onsetSeconds);
    }

    private Map<String, String> headers(String runId, long index, boolean shifted) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TrafficHeaders.MODEL, plan.model());
        if (plan.modelVersion() != null) {
            headers.put(TrafficHeaders.MODEL_VERSION, plan.modelVersion());
        }
        headers.put(TrafficHeaders.REQUEST_ID, "replay-" + runId + "-" + index);
        headers.put(TrafficHeaders.CONTENT_TYPE, plan.format().contentType());
        headers.put(SHIFTED_HEADER, Boolean.toString(shifted));
        return headers;
    }

    private void printProgress(long sent, double seconds, long onsetRecord) {
        String shift = onsetRecord < 0 ? (plan.shift() == null ? "clean" : "clean, shift pending")
                : plan.shiftLabel() + " since record " + onsetRecord;
        progress.printf(Locale.ROOT, "replay: %d/%d records, %.1f records/s, %s%n", sent, plan.count(),
                seconds > 0 ? sent / seconds : 0.0, shift);
    }
}
