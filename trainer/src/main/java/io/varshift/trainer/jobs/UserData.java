package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

/**
 * A user's labelled images to train on instead of Fashion-MNIST: a folder with one sub-folder of
 * PNG/JPEG images per class, or a folder holding {@code images.npy} and {@code labels.npy}. The
 * images are dealt by the spec's seed into a training part and a held-out part (accuracy and
 * calibration); model.json records the path, the fraction and the seed, so that report and Adjust BN
 * deal the same parts again.
 *
 * @param path the folder, as the trainer's machine sees it
 * @param heldOutFraction share of the images held out, in (0, 0.9]
 * @param channels 1 or 3 to convert folder images to, 0 = as the first image is (NPY data keep their own)
 * @param height image height folder images are resized to, 0 = the first image's (NPY data keep their own)
 * @param width image width, 0 = the first image's
 * @param heldOutPath a second folder of the same layout and classes held out as a whole (then every image
 *        of {@code path} is trained on and the fraction is unused), or null to deal {@code path}
 */
public record UserData(String path, double heldOutFraction, int channels, int height, int width,
                       String heldOutPath) {

    /** The held-out share when none is given. */
    public static final double DEFAULT_HELD_OUT_FRACTION = 0.2;

    /** The images of one folder, dealt into training and held-out parts by the fraction. */
    public UserData(String path, double heldOutFraction, int channels, int height, int width) {
        this(path, heldOutFraction, channels, height, width, null);
    }

    public UserData {
        if (path == null || path.isBlank()) {
            throw new InvalidRequestException("data", "is empty; give the folder of the training images");
        }
        if (heldOutPath != null && heldOutPath.isBlank()) {
            throw new InvalidRequestException("heldOutPath", "is empty; give the folder of the held-out images or"
                    + " leave it out to hold out a fraction of the data");
        }
        if (heldOutPath != null && java.nio.file.Path.of(heldOutPath).toAbsolutePath().normalize()
                .equals(java.nio.file.Path.of(path).toAbsolutePath().normalize())) {
            throw new InvalidRequestException("heldOutPath", "'" + heldOutPath + "' is the training folder itself; the"
                    + " held-out images must be others, or the calibration would judge traffic by images the model"
                    + " was trained on");
        }
        if (!(heldOutFraction > 0 && heldOutFraction <= 0.9)) {
            throw new InvalidRequestException("heldOutFraction", heldOutFraction + " is out of range; hold out a share"
                    + " in (0, 0.9], e.g. " + DEFAULT_HELD_OUT_FRACTION);
        }
        if (channels != 0 && channels != 1 && channels != 3) {
            throw new InvalidRequestException("channels", channels + " is not 1 (grey) or 3 (RGB); leave it out to"
                    + " take the first image's");
        }
        JobRequest.requireRange("height", height, 0, 1024);
        JobRequest.requireRange("width", width, 0, 1024);
        if ((height == 0) != (width == 0)) {
            throw new InvalidRequestException("height", "give both height and width (" + height + " x " + width
                    + "), or neither to take the first image's");
        }
    }

    /** The request's form in GET /jobs: {@code {path, heldOutFraction, channels, height, width[, heldOutPath]}}. */
    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("path", path);
        o.put("heldOutFraction", heldOutFraction);
        o.put("channels", channels);
        o.put("height", height);
        o.put("width", width);
        if (heldOutPath != null) {
            o.put("heldOutPath", heldOutPath);
        }
        return o;
    }

    /**
     * Parses the REST form; null when the body has no {@code data}. Its paths are relative to the traffic
     * directory and stay inside it, as a recalibration's does.
     */
    static UserData fromJson(ObjectNode body, java.nio.file.Path trafficDir) {
        if (!BodyFields.present(body, "data")) {
            return null;
        }
        if (!body.get("data").isObject()) {
            throw new InvalidRequestException("data", "must be an object {path, heldOutFraction, channels, height,"
                    + " width, heldOutPath}, got " + Json.compact(body.get("data")));
        }
        ObjectNode d = (ObjectNode) body.get("data");
        BodyFields f = new BodyFields(d,
                java.util.Set.of("path", "heldOutFraction", "channels", "height", "width", "heldOutPath"));
        String path = JobRequest.insideTrafficDirectory("data", f.string("path", null), trafficDir).toString();
        String heldOut = d.has("heldOutPath") ? JobRequest.insideTrafficDirectory("heldOutPath",
                f.string("heldOutPath", null), trafficDir).toString() : null;
        if (heldOut != null && d.has("heldOutFraction")) {
            throw new InvalidRequestException("heldOutFraction", "give either heldOutPath (a held-out folder) or"
                    + " heldOutFraction (a share of path), not both");
        }
        return new UserData(path, f.decimal("heldOutFraction", DEFAULT_HELD_OUT_FRACTION),
                f.integer("channels", 0), f.integer("height", 0), f.integer("width", 0), heldOut);
    }
}
