package io.varshift.core.bench;

import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.codec.RecordDecoders;
import io.varshift.core.codec.TrafficHeaders;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Records per second through the traffic decoder for Fashion-MNIST-shaped inputs [1, 28, 28]:
 * NPY float32 and uint8 single images, an NPY float32 batch of 32, and a JSON single image.
 * Batch figures are records (of 32 images) per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeBenchmark {
    private static final int[] SAMPLE = {1, 28, 28};
    private static final int PIXELS = 28 * 28;

    private final RecordDecoders decoders = new RecordDecoders(SAMPLE, DecodeLimits.DEFAULT);
    private final DecodeTarget target = new DecodeTarget();
    private byte[] npyFloat32;
    private byte[] npyUint8;
    private byte[] npyFloat32Batch32;
    private byte[] json;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] pixels = new byte[32 * PIXELS];
        float[] floats = new float[32 * PIXELS];
        for (int i = 0; i < floats.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
            floats[i] = (pixels[i] & 0xff) / 255f;
        }
        npyFloat32 = NpyWriter.float32(java.util.Arrays.copyOf(floats, PIXELS), SAMPLE);
        npyUint8 = NpyWriter.uint8(java.util.Arrays.copyOf(pixels, PIXELS), SAMPLE);
        npyFloat32Batch32 = NpyWriter.float32(floats, 32, 1, 28, 28);
        StringBuilder data = new StringBuilder("{\"shape\": [1, 28, 28], \"data\": [");
        for (int i = 0; i < PIXELS; i++) {
            data.append(i == 0 ? "" : ", ").append(floats[i]);
        }
        json = data.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public DecodeResult npyFloat32Single() {
        return decoders.decode(TrafficHeaders.NPY, npyFloat32, target);
    }

    @Benchmark
    public DecodeResult npyUint8Single() {
        return decoders.decode(TrafficHeaders.NPY, npyUint8, target);
    }

    @Benchmark
    public DecodeResult npyFloat32Batch32() {
        return decoders.decode(TrafficHeaders.NPY, npyFloat32Batch32, target);
    }

    @Benchmark
    public DecodeResult jsonSingle() {
        return decoders.decode(TrafficHeaders.JSON, json, target);
    }
}
