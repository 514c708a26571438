package io.varshift.core.corruption;

import java.util.Random;

/**
 * Covariate shifts applied to one single-channel image of {@code height x width} values in [0, 1],
 * row-major. Each function reads {@code src} and writes {@code dst} (the same array is allowed), keeps
 * values in [0, 1], and is the identity at severity 0. Randomness comes only from the given generator,
 * so a seeded replay is reproducible.
 */
public final class Shifts {

    /** Noise standard deviation at severity 1, in pixel units. */
    static final double MAX_NOISE_SD = 0.5;
    /** Box-blur radius at severity 1: a 7 x 7 box. */
    static final int MAX_BLUR_RADIUS = 3;
    /** Occluding patches are mid-grey: Fashion-MNIST's background is black, so grey is foreign to it. */
    static final float OCCLUSION_VALUE = 0.5f;

    private Shifts() {
    }

    /**
     * Pulls every pixel towards the image mean m: x' = m + (1 - s)(x - m). The pixel variance within the
     * image is multiplied by (1 - s)^2 and the mean is kept; no clipping is needed (convex combination).
     */
    public static void contrast(float[] src, float[] dst, double severity) {
        check(src, dst, severity);
        double mean = 0;
        for (float v : src) {
            mean += v;
        }
        mean /= src.length;
        double keep = 1 - severity;
        for (int i = 0; i < src.length; i++) {
            dst[i] = (float) (mean + keep * (src[i] - mean));
        }
    }

    /** Adds s to every pixel, clipped to 1: a brighter exposure. */
    public static void brightness(float[] src, float[] dst, double severity) {
        check(src, dst, severity);
        for (int i = 0; i < src.length; i++) {
            dst[i] = clip(src[i] + severity);
        }
    }

    /**
     * Adds independent Gaussian noise of standard deviation s * {@value #MAX_NOISE_SD}, clipped to [0, 1].
     * Away from the clip bounds the pixel variance grows by exactly that variance.
     */
    public static void noise(float[] src, float[] dst, double severity, Random random) {
        check(src, dst, severity);
        double sd = severity * MAX_NOISE_SD;
        for (int i = 0; i < src.length; i++) {
            dst[i] = clip(src[i] + sd * random.nextGaussian());
        }
    }

    /**
     * Box blur of radius round(s * {@value #MAX_BLUR_RADIUS}): each pixel becomes the mean of the
     * (2r+1)^2 box around it, the box cut at the image border (mean over the pixels inside it).
     */
    public static void blur(float[] src, float[] dst, int height, int width, double severity) {
        check(src, dst, severity);
        checkShape(src, height, width);
        int r = (int) Math.round(severity * MAX_BLUR_RADIUS);
        if (r == 0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        // Summed-area table: every box sum in O(1), and src may be dst.
        double[] sums = new double[(height + 1) * (width + 1)];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                sums[(y + 1) * (width + 1) + x + 1] = src[y * width + x] + sums[y * (width + 1) + x + 1]
                        + sums[(y + 1) * (width + 1) + x] - sums[y * (width + 1) + x];
            }
        }
        for (int y = 0; y < height; y++) {
            int y0 = Math.max(0, y - r);
            int y1 = Math.min(height, y + r + 1);
            for (int x = 0; x < width; x++) {
                int x0 = Math.max(0, x - r);
                int x1 = Math.min(width, x + r + 1);
                double box = sums[y1 * (width + 1) + x1] - sums[y0 * (width + 1) + x1]
                        - sums[y1 * (width + 1) + x0] + sums[y0 * (width + 1) + x0];
                dst[y * width + x] = clip(box / ((y1 - y0) * (x1 - x0)));
            }
        }
    }

    /**
     * Covers a square patch of side round(s * min(height, width)) at a uniformly random position with
     * {@value #OCCLUSION_VALUE}; the rest of the image is unchanged.
     */
    public static void occlusion(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        System.arraycopy(src, 0, dst, 0, src.length);
        int side = (int) Math.round(severity * Math.min(height, width));
        if (side == 0) {
            return;
        }
        int top = random.nextInt(height - side + 1);
        int left = random.nextInt(width - side + 1);
        for (int y = top; y < top + side; y++) {
            java.util.Arrays.fill(dst, y * width + left, y * width + left + side, OCCLUSION_VALUE);
        }
    }

    /**
     * Blends towards the negative image: x' = (1 - s) x + s (1 - x). At severity 1 it is the negative,
     * white background and dark objects: a different data set, the way MNIST-style inversions are.
     */
    public static void invert(float[] src, float[] dst, double severity) {
        check(src, dst, severity);
        for (int i = 0; i < src.length; i++) {
            dst[i] = clip((1 - severity) * src[i] + severity * (1 - src[i]));
        }
    }

    public static void checkSeverity(double severity) {
        if (!(severity >= 0 && severity <= 1)) {
            throw new IllegalArgumentException("severity " + severity + " is outside [0, 1]; 0 leaves the image as"
                    + " it is, 1 is the strongest shift");
        }
    }

    private static void check(float[] src, float[] dst, double severity) {
        checkSeverity(severity);
        if (src.length != dst.length) {
            throw new IllegalArgumentException("source has " + src.length + " pixels but destination has "
                    + dst.length + "; pass arrays of one image's size");
        }
    }

    private static void checkShape(float[] src, int height, int width) {
        if (height < 1 || width < 1 || (long) height * width != src.length) {
            throw new IllegalArgumentException("image of " + src.length + " pixels is not " + height + " x " + width);
        }
    }

    private static float clip(double v) {
        return (float) Math.min(1, Math.max(0, v));
    }
}
