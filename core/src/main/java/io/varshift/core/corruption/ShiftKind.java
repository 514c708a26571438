package io.varshift.core.corruption;

import java.util.List;
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
    INVERT((src, dst, h, w, s, random) -> Shifts.invert(src, dst, s)),
    /** Salt and pepper: each pixel with probability 0.3 s becomes 0 or 1. */
    IMPULSE((src, dst, h, w, s, random) -> Shifts.impulse(src, dst, s, random)),
    /** Shot noise: Poisson(lambda x) / lambda with lambda = 2 / s^2 photons per unit intensity. */
    SHOT((src, dst, h, w, s, random) -> Shifts.shot(src, dst, s, random)),
    /** Horizontal motion blur: mean over a 1 x (2r+1) window, r = round(6 s). */
    MOTION_BLUR((src, dst, h, w, s, random) -> Shifts.motionBlur(src, dst, h, w, s)),
    /** Rotation about the centre by 60 s degrees, random direction, background 0. */
    ROTATE(Shifts::rotate),
    /** Horizontal shear x' = x + k (y - cy), k = 0.6 s with a random sign, background 0. */
    SHEAR(Shifts::shear),
    /** Zoom out about the centre: the object drawn at 1 - 0.5 s of its size, background 0. */
    SCALE((src, dst, h, w, s, random) -> Shifts.scale(src, dst, h, w, s)),
    /** Translation by a random (dx, dy) != (0, 0) with |dx|, |dy| <= ceil(8 s), vacated pixels 0. */
    TRANSLATE(Shifts::translate),
    /** Fog: + 0.6 s times a smooth random field in [0, 1) (a 4 x 4 grid upsampled), clipped. */
    FOG(Shifts::fog),
    /** Every 4th column (random phase) becomes max(x, s): bright stripes of intensity s. */
    STRIPES(Shifts::stripes),
    /** One random straight line between two border pixels on different sides, its pixels max(x, s). */
    LINES(Shifts::lines),
    /** round(12 s) grey (0.6) drops, discs of radius 1 or 2 at random places. */
    SPATTER(Shifts::spatter),
    /** Blend towards the Sobel edge map: (1 - s) x + s min(1, |G| / 4). */
    EDGES((src, dst, h, w, s, random) -> Shifts.edges(src, dst, h, w, s));

    /** The five severities of the corruption suite (benchmark), mild to strong. */
    public static final List<Double> SUITE_SEVERITIES = List.of(0.05, 0.1, 0.2, 0.35, 0.5);

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
