package io.varshift.core.data;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A user's labelled images with their class names, as read from disk. Checked once here so that
 * training and calibration code can index {@code classes} by label without guarding.
 *
 * @param images  samples with labels in [0, classes.size())
 * @param classes class names in label order, non-empty and distinct
 * @param source  one line saying where the data came from, e.g. "image folder /x/y (4 classes, 120 images)"
 */
public record LabelledData(ImageSet images, List<String> classes, String source) {

    public LabelledData {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(classes, "classes");
        Objects.requireNonNull(source, "source");
        classes = List.copyOf(classes);
        if (!images.hasLabels()) {
            throw new IllegalArgumentException(source + ": the images have no labels; give one label per image");
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException(source + ": no class names; give one name per label");
        }
        Set<String> seen = new HashSet<>();
        for (String name : classes) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException(source + ": class name '" + name
                        + "' appears twice in " + classes + "; class names must be distinct");
            }
        }
        for (int i = 0; i < images.size(); i++) {
            int label = images.label(i);
            if (label < 0 || label >= classes.size()) {
                throw new IllegalArgumentException(source + ": image " + i + " has label " + label
                        + ", outside [0, " + classes.size() + ") for classes " + classes
                        + "; give a class name for every label");
            }
        }
    }
}
