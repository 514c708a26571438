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
    /** Share of pixels that impulse noise replaces at severity 1. */
    static final double MAX_IMPULSE_FRACTION = 0.3;
    /** Photons per unit intensity at severity 1; at severity s there are this / s^2. */
    static final double SHOT_PHOTONS_AT_FULL = 2;
    /** Poisson means from this one up are drawn from the normal approximation (Knuth costs one draw per unit). */
    static final double POISSON_NORMAL_MEAN = 50;
    /** Motion-blur radius at severity 1: a 1 x 13 horizontal window. */
    static final int MAX_MOTION_BLUR_RADIUS = 6;
    /** Rotation angle at severity 1, in degrees, either way. */
    static final double MAX_ROTATION_DEGREES = 60;
    /** Horizontal shear factor at severity 1, either way: pixels per row from the centre. */
    static final double MAX_SHEAR = 0.6;
    /** Zoom-out at severity 1: the object is drawn at 1 - this of its size. */
    static final double MAX_ZOOM_OUT = 0.5;
    /** Translation bound at severity 1, in pixels, on each axis. */
    static final int MAX_TRANSLATION = 8;
    /** Fog is a FOG_GRID x FOG_GRID grid of uniform values, bilinearly upsampled. */
    static final int FOG_GRID = 4;
    /** Fog added at severity 1 where the field is 1. */
    static final double MAX_FOG = 0.6;
    /** Every STRIPE_PERIOD-th column is a stripe. */
    static final int STRIPE_PERIOD = 4;
    /** Spatter discs at severity 1. */
    static final int MAX_SPATTER_DISCS = 12;
    /** Spatter drops are light grey, brighter than the occluding patches. */
    static final float SPATTER_VALUE = 0.6f;
    /** Sobel magnitude of a unit step edge: dividing by it maps such an edge to 1. */
    static final double SOBEL_UNIT_STEP = 4;

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

    /**
     * Salt-and-pepper noise: each pixel independently, with probability s * {@value #MAX_IMPULSE_FRACTION},
     * becomes 0 or 1 (one half each). Two draws per pixel at every severity, so for one seed the replaced
     * pixels at a lower severity are a subset of those at a higher one.
     */
    public static void impulse(float[] src, float[] dst, double severity, Random random) {
        check(src, dst, severity);
        double fraction = severity * MAX_IMPULSE_FRACTION;
        for (int i = 0; i < src.length; i++) {
            boolean replaced = random.nextDouble() < fraction;
            boolean salt = random.nextBoolean();
            dst[i] = replaced ? (salt ? 1f : 0f) : src[i];
        }
    }

    /**
     * Shot noise: x' = Poisson(lambda x) / lambda, clipped to 1, with lambda = {@value #SHOT_PHOTONS_AT_FULL} / s^2
     * photons per unit intensity. The mean is kept and the variance is x / lambda = x s^2 / 2, so at mid-grey the
     * standard deviation is 0.5 s, as for {@link #noise}; severity 0 is noiseless and draws nothing.
     */
    public static void shot(float[] src, float[] dst, double severity, Random random) {
        check(src, dst, severity);
        if (severity == 0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        double lambda = SHOT_PHOTONS_AT_FULL / (severity * severity);
        for (int i = 0; i < src.length; i++) {
            dst[i] = clip(poisson(lambda * src[i], random) / lambda);
        }
    }

    /**
     * Horizontal motion blur of radius round(s * {@value #MAX_MOTION_BLUR_RADIUS}): each pixel becomes the mean of
     * the 1 x (2r+1) window around it in its row, the window cut at the image border like {@link #blur}'s box.
     */
    public static void motionBlur(float[] src, float[] dst, int height, int width, double severity) {
        check(src, dst, severity);
        checkShape(src, height, width);
        int r = (int) Math.round(severity * MAX_MOTION_BLUR_RADIUS);
        if (r == 0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        double[] sums = new double[width + 1];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < width; x++) {
                sums[x + 1] = sums[x] + src[row + x];
            }
            for (int x = 0; x < width; x++) {
                int x0 = Math.max(0, x - r);
                int x1 = Math.min(width, x + r + 1);
                dst[row + x] = clip((sums[x1] - sums[x0]) / (x1 - x0));
            }
        }
    }

    /**
     * Rotation about the image centre by s * {@value #MAX_ROTATION_DEGREES} degrees, clockwise or anticlockwise
     * (one half each), bilinear, pixels from outside the image read as 0 (the background).
     */
    public static void rotate(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        rotateBy(src, dst, height, width, randomSign(random) * Math.toRadians(severity * MAX_ROTATION_DEGREES));
    }

    /** Rotation about the centre by {@code radians}; positive turns clockwise as displayed (y grows downwards). */
    static void rotateBy(float[] src, float[] dst, int height, int width, double radians) {
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        // The output pixel at offset p from the centre reads the source at R(-angle) p.
        warp(src, dst, height, width, cos, sin, -sin, cos);
    }

    /**
     * Horizontal shear x' = x + k (y - cy) about the centre row cy, k = s * {@value #MAX_SHEAR} with a random sign
     * (one half each), bilinear, pixels from outside the image read as 0.
     */
    public static void shear(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        shearBy(src, dst, height, width, randomSign(random) * severity * MAX_SHEAR);
    }

    /** Horizontal shear x' = x + k (y - cy). */
    static void shearBy(float[] src, float[] dst, int height, int width, double k) {
        warp(src, dst, height, width, 1, -k, 0, 1);
    }

    /**
     * Zoom out about the image centre by the factor 1 - s * {@value #MAX_ZOOM_OUT}: the object shrinks, bilinear,
     * the border it leaves reads as 0.
     */
    public static void scale(float[] src, float[] dst, int height, int width, double severity) {
        check(src, dst, severity);
        checkShape(src, height, width);
        double inverse = 1 / (1 - severity * MAX_ZOOM_OUT);
        warp(src, dst, height, width, inverse, 0, 0, inverse);
    }

    /**
     * Shift by (dx, dy) pixels, each uniform in {-d, ..., d} with d = ceil(s * {@value #MAX_TRANSLATION}), redrawn
     * while both are 0, so any severity above 0 moves the image; vacated pixels are 0.
     */
    public static void translate(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        int d = (int) Math.ceil(severity * MAX_TRANSLATION);
        if (d == 0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        int dx;
        int dy;
        do {
            dx = random.nextInt(2 * d + 1) - d;
            dy = random.nextInt(2 * d + 1) - d;
        } while (dx == 0 && dy == 0);
        float[] from = src == dst ? src.clone() : src;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int sx = x - dx;
                int sy = y - dy;
                boolean inside = sx >= 0 && sx < width && sy >= 0 && sy < height;
                dst[y * width + x] = inside ? from[sy * width + sx] : 0f;
            }
        }
    }

    /**
     * Fog: x' = clip(x + s * {@value #MAX_FOG} * f) with f a smooth random field, a {@value #FOG_GRID} x
     * {@value #FOG_GRID} grid of uniform [0, 1) values spaced evenly from corner to corner, bilinearly
     * interpolated between them. The field is drawn at every severity, so one seed gives one field.
     */
    public static void fog(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        double[] field = fogField(height, width, random);
        double amount = severity * MAX_FOG;
        for (int i = 0; i < src.length; i++) {
            dst[i] = clip(src[i] + amount * field[i]);
        }
    }

    /** The fog field in [0, 1): grid node (i, j) sits at pixel (i (height-1) / 3, j (width-1) / 3). */
    static double[] fogField(int height, int width, Random random) {
        double[] grid = new double[FOG_GRID * FOG_GRID];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = random.nextDouble();
        }
        double[] field = new double[height * width];
        for (int y = 0; y < height; y++) {
            double gy = height == 1 ? 0 : y * (FOG_GRID - 1.0) / (height - 1);
            int y0 = Math.min((int) gy, FOG_GRID - 2);
            double ay = gy - y0;
            for (int x = 0; x < width; x++) {
                double gx = width == 1 ? 0 : x * (FOG_GRID - 1.0) / (width - 1);
                int x0 = Math.min((int) gx, FOG_GRID - 2);
                double ax = gx - x0;
                int node = y0 * FOG_GRID + x0;
                field[y * width + x] = (1 - ay) * ((1 - ax) * grid[node] + ax * grid[node + 1])
                        + ay * ((1 - ax) * grid[node + FOG_GRID] + ax * grid[node + FOG_GRID + 1]);
            }
        }
        return field;
    }

    /**
     * Bright vertical stripes of intensity s: every {@value #STRIPE_PERIOD}th column, from a random phase in
     * {0, ..., 3}, becomes max(x, s); the other columns are unchanged.
     */
    public static void stripes(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        int phase = random.nextInt(STRIPE_PERIOD);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                dst[i] = x % STRIPE_PERIOD == phase ? (float) Math.max(src[i], severity) : src[i];
            }
        }
    }

    /**
     * One straight line of intensity s across the image: its end points are uniform border pixels, redrawn while
     * both lie on one side (a line along the border crosses nothing), drawn with Bresenham one pixel wide; the
     * line's pixels become max(x, s).
     */
    public static void lines(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        int[] from;
        int[] to;
        do {
            from = borderPoint(random, height, width);
            to = borderPoint(random, height, width);
        } while (height > 1 && width > 1 && onOneSide(from, to, height, width));
        line(src, dst, width, severity, from[0], from[1], to[0], to[1]);
    }

    /** A uniform pixel of the border, as {x, y}; an image one pixel high or wide is all border. */
    private static int[] borderPoint(Random random, int height, int width) {
        if (height == 1 || width == 1) {
            int i = random.nextInt(height * width);
            return new int[] {i % width, i / width};
        }
        int i = random.nextInt(2 * (width + height) - 4);
        if (i < width) {
            return new int[] {i, 0};
        }
        i -= width;
        if (i < width) {
            return new int[] {i, height - 1};
        }
        i -= width;
        return new int[] {(i % 2) * (width - 1), 1 + i / 2};
    }

    private static boolean onOneSide(int[] a, int[] b, int height, int width) {
        return a[0] == b[0] && (a[0] == 0 || a[0] == width - 1) || a[1] == b[1] && (a[1] == 0 || a[1] == height - 1);
    }

    /** Bresenham's line from (x0, y0) to (x1, y1), both inside the image, its pixels set to max(x, value). */
    static void line(float[] src, float[] dst, int width, double value, int x0, int y0, int x1, int y1) {
        System.arraycopy(src, 0, dst, 0, src.length);
        int dx = Math.abs(x1 - x0);
        int dy = -Math.abs(y1 - y0);
        int stepX = x0 < x1 ? 1 : -1;
        int stepY = y0 < y1 ? 1 : -1;
        int error = dx + dy;
        int x = x0;
        int y = y0;
        while (true) {
            dst[y * width + x] = (float) Math.max(dst[y * width + x], value);
            if (x == x1 && y == y1) {
                return;
            }
            int twice = 2 * error;
            if (twice >= dy) {
                error += dy;
                x += stepX;
            }
            if (twice <= dx) {
                error += dx;
                y += stepY;
            }
        }
    }

    /**
     * Spatter: round(s * {@value #MAX_SPATTER_DISCS}) drops, discs of radius 1 or 2 (one half each) centred on
     * uniform pixels and cut at the border, whose pixels become {@value #SPATTER_VALUE}; severity 0 draws none.
     */
    public static void spatter(float[] src, float[] dst, int height, int width, double severity, Random random) {
        check(src, dst, severity);
        checkShape(src, height, width);
        System.arraycopy(src, 0, dst, 0, src.length);
        long drops = Math.round(severity * MAX_SPATTER_DISCS);
        for (int n = 0; n < drops; n++) {
            int cx = random.nextInt(width);
            int cy = random.nextInt(height);
            int r = 1 + random.nextInt(2);
            for (int y = Math.max(0, cy - r); y <= Math.min(height - 1, cy + r); y++) {
                for (int x = Math.max(0, cx - r); x <= Math.min(width - 1, cx + r); x++) {
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                        dst[y * width + x] = SPATTER_VALUE;
                    }
                }
            }
        }
    }

    /**
     * Blends towards the edge map: x' = (1 - s) x + s min(1, |G| / {@value #SOBEL_UNIT_STEP}), G the 3 x 3 Sobel
     * gradient with the border pixels replicated, so a unit step edge maps to 1 and a flat region to 0.
     */
    public static void edges(float[] src, float[] dst, int height, int width, double severity) {
        check(src, dst, severity);
        checkShape(src, height, width);
        float[] from = src == dst ? src.clone() : src;
        for (int y = 0; y < height; y++) {
            int up = Math.max(0, y - 1) * width;
            int row = y * width;
            int down = Math.min(height - 1, y + 1) * width;
            for (int x = 0; x < width; x++) {
                int left = Math.max(0, x - 1);
                int right = Math.min(width - 1, x + 1);
                double gx = from[up + right] + 2 * from[row + right] + from[down + right]
                        - from[up + left] - 2 * from[row + left] - from[down + left];
                double gy = from[down + left] + 2 * from[down + x] + from[down + right]
                        - from[up + left] - 2 * from[up + x] - from[up + right];
                double edge = Math.min(1, Math.sqrt(gx * gx + gy * gy) / SOBEL_UNIT_STEP);
                dst[row + x] = clip((1 - severity) * from[row + x] + severity * edge);
            }
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

    /** A Poisson draw: Knuth's product of uniforms, for large means the rounded normal approximation. */
    static double poisson(double mean, Random random) {
        if (mean == 0) {
            return 0;
        }
        if (mean >= POISSON_NORMAL_MEAN) {
            return Math.max(0, Math.rint(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        int k = 0;
        double product = random.nextDouble();
        while (product > limit) {
            k++;
            product *= random.nextDouble();
        }
        return k;
    }

    /**
     * Writes the affine warp about the image centre c: the output pixel p reads the source at c + M (p - c), M =
     * [[m00, m01], [m10, m11]] over (x, y), bilinear, with pixels outside the image read as 0. The identity (what
     * every geometric shift is at severity 0) copies the image exactly.
     */
    private static void warp(float[] src, float[] dst, int height, int width, double m00, double m01, double m10,
            double m11) {
        if (m00 == 1 && m01 == 0 && m10 == 0 && m11 == 1) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        float[] from = src == dst ? src.clone() : src;
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double sx = cx + m00 * (x - cx) + m01 * (y - cy);
                double sy = cy + m10 * (x - cx) + m11 * (y - cy);
                dst[y * width + x] = clip(bilinear(from, height, width, sx, sy));
            }
        }
    }

    /** One draw, +1 or -1, whatever the severity: the replay's stream of draws does not depend on it. */
    private static double randomSign(Random random) {
        return random.nextBoolean() ? 1 : -1;
    }

    private static double bilinear(float[] image, int height, int width, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double ax = x - x0;
        double ay = y - y0;
        double top = (1 - ax) * pixel(image, height, width, x0, y0) + ax * pixel(image, height, width, x0 + 1, y0);
        double bottom = (1 - ax) * pixel(image, height, width, x0, y0 + 1)
                + ax * pixel(image, height, width, x0 + 1, y0 + 1);
        return (1 - ay) * top + ay * bottom;
    }

    private static double pixel(float[] image, int height, int width, int x, int y) {
        return x < 0 || x >= width || y < 0 || y >= height ? 0 : image[y * width + x];
    }

    private static float clip(double v) {
        return (float) Math.min(1, Math.max(0, v));
    }
}
