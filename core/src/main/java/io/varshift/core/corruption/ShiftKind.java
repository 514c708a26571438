package io.varshift.core.corruption;

import java.util.Locale;
import java.util.Random;

/**
 * The covariate shifts that replay switches on and that evaluate-alarms measures power against; each
 * delegates to {@link Shifts}.
 */
public enum ShiftKind {
    /** Lower contrast: pixel variance times (1 - s)^2. */
    CONTRAST((src, dst, h, w, s, random) -> Shifts.contrast(src, dst, s)),
    /** Brighter exposure: + s, clipped. */
    BRIGHTNESS((src, dst, h, w, s, random) -> Shifts.brightness(src, dst, s)),
    /** Gaussian sensor noise, standard deviation 0.5 s. */
    NOISE((src, dst, h, w, s, random) -> Shifts.noise(src, dst, s, random)),
    /** Out of focus: box blur of radius up to 3. */
    BLUR((src, dst, h, w, s, random) -> Shifts.blur(src, dst, h, w, s)),
    /** A grey square covering part of the image. */
    OCCLUSION(Shifts::occlusion),
    /** Another data set, label-free: negative images (white background). */
    INVERT((src, dst, h, w, s, random) -> Shifts.invert(src, dst, s));

    @FunctionalInterface
    private interface ImageShift {
        void apply(float[] src, float[] dst, int height, int width, double severity, Random random);
    }

    private final ImageShift shift;

    ShiftKind(ImageShift shift) {
        this.shift = shift;
    }

    /** Writes the shifted {@code src} image into {@code dst}. */
    public void apply(float[] src, float[] dst, int height, int width, double severity, Random random) {
        shift.apply(src, dst, height, width, severity, random);
    }

    /** The name used on the command line and in the summary. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
