package io.varshift.trainer.benchmark;

import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.corruption.ShiftedImages;
import io.varshift.core.data.ImageSet;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The corruption suite as a PNG: one row per corruption, one column per severity (the clean image
 * first), each cell one test image corrupted with a fixed seed and scaled up.
 */
final class CorruptionGrid {

    static final int SCALE = 3;
    private static final int LABEL_WIDTH = 110;
    private static final int HEADER = 18;
    private static final int GAP = 4;

    private CorruptionGrid() {
    }

    /** @param image a one-image set of single-channel images */
    static byte[] png(ImageSet image, List<ShiftKind> shifts, List<Double> severities, long seed) {
        long[] shape = image.sampleShape();
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        int cell = Math.max(h, w) * SCALE + GAP;
        int width = LABEL_WIDTH + cell * (severities.size() + 1);
        int height = HEADER + cell * shifts.size();
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("clean", LABEL_WIDTH, HEADER - 5);
        for (int s = 0; s < severities.size(); s++) {
            g.drawString(String.format(Locale.ROOT, "s = %.2f", severities.get(s)), LABEL_WIDTH + cell * (s + 1),
                    HEADER - 5);
        }
        for (int r = 0; r < shifts.size(); r++) {
            ShiftKind shift = shifts.get(r);
            int top = HEADER + r * cell;
            g.setColor(Color.BLACK);
            g.drawString(shift.cliName(), 4, top + cell / 2 + 4);
            draw(out, image, 0, LABEL_WIDTH, top, h, w);
            for (int s = 0; s < severities.size(); s++) {
                ImageSet corrupted = ShiftedImages.of(image, shift, severities.get(s), new Random(seed));
                draw(out, corrupted, 0, LABEL_WIDTH + cell * (s + 1), top, h, w);
            }
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the corruption grid: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static void draw(BufferedImage out, ImageSet set, int index, int left, int top, int h, int w) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = Math.round(255 * Math.max(0, Math.min(1, set.value(index, y * w + x))));
                int rgb = (v << 16) | (v << 8) | v;
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        out.setRGB(left + x * SCALE + dx, top + y * SCALE + dy, rgb);
                    }
                }
            }
        }
    }
}
