package io.varshift.stack.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.RecordDecoders;
import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.data.ImageSet;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.corruption.Shifts;
import org.junit.jupiter.api.Test;

class ReplayerTest {

    private static final int SIDE = 4;
    private static final int PIXELS = SIDE * SIDE;
    private static final int IMAGES = 5;
    private static final ImageSet SET = generated();
    private static final RecordDecoders DECODERS = new RecordDecoders(new int[] {1, SIDE, SIDE}, DecodeLimits.DEFAULT);

    private final ListSink sink = new ListSink();
    private final VirtualTicker ticker = new VirtualTicker();
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    private static ImageSet generated() {
        float[] values = new float[IMAGES * PIXELS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 97) / 96f;
        }
        return ImageSet.ofFloats(values, null, 1, SIDE, SIDE);
    }

    private static ReplayPlan plan(RecordFormat format, double rate, long count, int batch, ShiftKind shift,
                                   double severity, long afterRecords, double afterSeconds) {
        return new ReplayPlan("t", "fmnist", null, format, rate, count, batch, 0, shift, severity, afterRecords,
                afterSeconds, 1, 1.0);
    }

    private ReplaySummary replay(ReplayPlan plan) {
        return new Replayer(plan, SET, sink, ticker, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
    }

    private static float[] decode(ListSink.Sent sent, int expectedSamples) {
        DecodeTarget target = new DecodeTarget();
        DecodeResult result = DECODERS.decode(sent.headers().get(TrafficHeaders.CONTENT_TYPE), sent.value(), target);
        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.samples()).isEqualTo(expectedSamples);
        return target.toArray();
    }

    private static float[] image(int index) {
        float[] image = new float[PIXELS];
        for (int j = 0; j < PIXELS; j++) {
            image[j] = SET.value(index % IMAGES, j);
        }
        return image;
    }

    @Test
    void cleanNpyRecordsDecodeToTheSourceImagesInOrderCyclingAtTheEnd() {
        ReplaySummary summary = replay(plan(RecordFormat.NPY, 0, 7, 1, null, 0.5, -1, -1));
        assertThat(sink.records).hasSize(7);
        for (int i = 0; i < 7; i++) {
            ListSink.Sent sent = sink.records.get(i);
            assertThat(sent.headers()).containsEntry(TrafficHeaders.MODEL, "fmnist")
                    .containsEntry(TrafficHeaders.CONTENT_TYPE, TrafficHeaders.NPY)
                    .containsEntry(Replayer.SHIFTED_HEADER, "false")
                    .doesNotContainKey(TrafficHeaders.MODEL_VERSION);
            assertThat(sent.headers().get(TrafficHeaders.REQUEST_ID)).startsWith("replay-").endsWith("-" + i);
            assertThat(decode(sent, 1)).containsExactly(image(i));
        }
        assertThat(sink.flushes).isEqualTo(1);
        assertThat(summary.shiftOnsetRecord()).isEqualTo(-1);
        assertThat(summary.line()).contains("records=7 samples=7").contains("shift=none shift_onset_record=none");
    }

    @Test
    void jsonRecordsOfBatchesDecodeToTheSameFloats() {
        replay(new ReplayPlan("t", "fmnist", "3", RecordFormat.JSON, 0, 2, 3, 1, null, 0.5, -1, -1, 1, 1.0));
        assertThat(sink.records).hasSize(2);
        ListSink.Sent second = sink.records.get(1);
        assertThat(second.headers()).containsEntry(TrafficHeaders.CONTENT_TYPE, TrafficHeaders.JSON)
                .containsEntry(TrafficHeaders.MODEL_VERSION, "3");
        float[] decoded = decode(second, 3);
        for (int s = 0; s < 3; s++) {
            float[] sample = java.util.Arrays.copyOfRange(decoded, s * PIXELS, (s + 1) * PIXELS);
            assertThat(sample).containsExactly(image(1 + 3 + s));
        }
    }

    @Test
    void shiftAfterNRecordsLeavesTheFirstNCleanAndShiftsTheRest() {
        ReplaySummary summary = replay(plan(RecordFormat.NPY, 0, 6, 1, ShiftKind.INVERT, 1, 4, -1));
        for (int i = 0; i < 6; i++) {
            float[] decoded = decode(sink.records.get(i), 1);
            float[] expected = image(i);
            if (i >= 4) {
                Shifts.invert(expected, expected, 1);
            }
            assertThat(decoded).as("record " + i).containsExactly(expected, within(1e-6f));
            assertThat(sink.records.get(i).headers()).containsEntry(Replayer.SHIFTED_HEADER, Boolean.toString(i >= 4));
        }
        assertThat(summary.shiftOnsetRecord()).isEqualTo(4);
        assertThat(summary.line()).contains("shift=invert@1.00 shift_onset_record=4");
    }

    @Test
    void randomShiftsAreReproducibleFromTheSeed() {
        replay(plan(RecordFormat.NPY, 0, 3, 1, ShiftKind.NOISE, 0.3, -1, -1));
        Random random = new Random(1);
        for (int i = 0; i < 3; i++) {
            float[] expected = new float[PIXELS];
            Shifts.noise(image(i), expected, 0.3, random);
            assertThat(decode(sink.records.get(i), 1)).containsExactly(expected);
        }
    }

    @Test
    void recordsArePacedToTheRate() {
        ReplaySummary summary = replay(plan(RecordFormat.NPY, 20, 41, 1, null, 0.5, -1, -1));
        // Record i is due at i / rate: the 41st (i = 40) at 2 s; at 1 s, 21 records have left.
        assertThat(summary.seconds()).isCloseTo(2.0, within(1e-9));
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("replay: 21/41 records, 21.0 records/s, clean");
    }

    @Test
    void shiftAfterSecondsStartsAtTheFirstRecordSentThatLateOrLater() {
        ReplaySummary summary = replay(plan(RecordFormat.NPY, 10, 30, 1, ShiftKind.CONTRAST, 0.8, -1, 1.25));
        // At 10 records/s record i leaves at i/10 s: record 13 is the first at or after 1.25 s.
        assertThat(summary.shiftOnsetRecord()).isEqualTo(13);
        assertThat(summary.shiftOnsetSeconds()).isCloseTo(1.3, within(1e-9));
        assertThat(sink.records.get(12).headers()).containsEntry(Replayer.SHIFTED_HEADER, "false");
        assertThat(sink.records.get(13).headers()).containsEntry(Replayer.SHIFTED_HEADER, "true");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("contrast@0.80 since record 13");
    }

    @Test
    void aShiftWithoutOnsetIsOnFromTheFirstRecord() {
        assertThat(replay(plan(RecordFormat.NPY, 0, 2, 1, ShiftKind.BLUR, 1, -1, -1)).shiftOnsetRecord()).isZero();
    }

    @Test
    void inconsistentPlansAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> plan(RecordFormat.NPY, 0, 0, 1, null, 0.5, -1, -1)).hasMessageContaining("--count 0");
        assertThatThrownBy(() -> plan(RecordFormat.NPY, -1, 1, 1, null, 0.5, -1, -1)).hasMessageContaining("--rate -1");
        assertThatThrownBy(() -> plan(RecordFormat.NPY, 0, 1, 1, null, 0.5, 5, -1)).hasMessageContaining("need a --shift");
        assertThatThrownBy(() -> plan(RecordFormat.NPY, 0, 1, 1, ShiftKind.BLUR, 0.5, 5, 2)).hasMessageContaining("not both");
        assertThatThrownBy(() -> plan(RecordFormat.NPY, 0, 1, 1, ShiftKind.BLUR, 2, -1, -1)).hasMessageContaining("severity 2.0");
        assertThatThrownBy(() -> plan(RecordFormat.NPY, 0, 1, 0, null, 0.5, -1, -1)).hasMessageContaining("--batch 0");
    }
}
