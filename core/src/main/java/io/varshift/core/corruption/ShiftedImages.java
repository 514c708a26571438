package io.varshift.core.corruption;

import io.varshift.core.data.ImageSet;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

/** A whole image set with one shift applied, for the offline evaluations and the detector benchmark. */
public final class ShiftedImages {

    private ShiftedImages() {
    }

    /**
     * The images with {@code shift} applied at {@code severity}, each image once, in order, labels kept;
     * the generator is drawn from image by image, so one seed gives one result.
     *
     * @throws IllegalArgumentException when the samples are not single-channel images
     */
    public static ImageSet of(ImageSet clean, ShiftKind shift, double severity, Random random) {
        long[] shape = clean.sampleShape();
        int height = (int) shape[shape.length - 2];
        int width = (int) shape[shape.length - 1];
        int sample = clean.sampleSize();
        if (shape.length < 2 || (long) height * width != sample) {
            throw new IllegalArgumentException("the shifts need single-channel images; samples of shape "
                    + Arrays.toString(shape) + " are not");
        }
        float[] out = new float[clean.size() * sample];
        float[] image = new float[sample];
        int[] labels = clean.hasLabels() ? new int[clean.size()] : null;
        for (int i = 0; i < clean.size(); i++) {
            clean.copySample(i, FloatBuffer.wrap(image));
            shift.apply(image, image, height, width, severity, random);
            System.arraycopy(image, 0, out, i * sample, sample);
            if (labels != null) {
                labels[i] = clean.label(i);
            }
        }
        return ImageSet.ofFloats(out, labels, shape);
    }
}
