package io.varshift.trainer.cli;

import io.varshift.trainer.jobs.InvalidRequestException;
import io.varshift.trainer.jobs.UserData;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The options that name a user's labelled images, shared by train and import. */
class DataOptions {

    @Option(names = "--data", description = "your own labelled images: a folder with one sub-folder of PNG/JPEG images"
            + " per class, or a folder with images.npy [N, C, H, W] and labels.npy [N] (optional classes.txt)")
    String data;

    @Option(names = "--held-out-fraction", description = "with --data: share of the images held out for accuracy and"
            + " calibration (default 0.2)")
    Double heldOutFraction;

    @Option(names = "--held-out-data", description = "with --data: a second folder of the same layout and classes,"
            + " held out as a whole (then all of --data is trained on)")
    String heldOutData;

    @Option(names = "--channels", description = "with a --data image folder: 1 (grey) or 3 (RGB); default the first"
            + " image's")
    Integer channels;

    @Option(names = "--image-size", description = "with a --data image folder: HEIGHTxWIDTH (or one number) images"
            + " are resized to; default the first image's size")
    String imageSize;

    /** The images the options name, or null without --data (then the other options are refused). */
    UserData userData() {
        if (data == null) {
            if (heldOutFraction != null || heldOutData != null || channels != null || imageSize != null) {
                throw new InvalidRequestException("data", "--held-out-fraction, --held-out-data, --channels and"
                        + " --image-size describe your own images; give them with --data DIR");
            }
            return null;
        }
        int height = 0;
        int width = 0;
        if (imageSize != null) {
            String[] parts = imageSize.toLowerCase(Locale.ROOT).split("x", -1);
            try {
                height = Integer.parseInt(parts[0].trim());
                width = parts.length == 1 ? height : Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("imageSize", "'" + imageSize + "' is not HEIGHTxWIDTH, e.g. 32x32");
            }
            if (parts.length > 2 || height < 1 || width < 1) {
                throw new InvalidRequestException("imageSize", "'" + imageSize + "' is not HEIGHTxWIDTH, e.g. 32x32");
            }
        }
        if (heldOutData != null && heldOutFraction != null) {
            throw new InvalidRequestException("heldOutFraction", "give either --held-out-data DIR (a held-out folder)"
                    + " or --held-out-fraction F (a share of --data), not both");
        }
        return new UserData(data, heldOutFraction == null ? UserData.DEFAULT_HELD_OUT_FRACTION : heldOutFraction,
                channels == null ? 0 : channels, height, width, heldOutData);
    }
}
