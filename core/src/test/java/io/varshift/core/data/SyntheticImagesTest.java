package io.varshift.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic stand-in for a user's data reads back through both readers to the values it made. */
class SyntheticImagesTest {

    @Test
    void aPngFolderAndAnNpyPairReadBackToTheSameImagesAndLabels(@TempDir Path dir) {
        ImageSet made = SyntheticImages.images(4, 3, 3, 16, 12, 9);
        LabelledData folder = ImageFolderDataset.load(SyntheticImages.writeFolder(dir.resolve("folder"), 4, 3, 3, 16,
                12, 9), 3, 16, 12, 100);
        LabelledData npy = LabelledNpyDataset.load(SyntheticImages.writeNpy(dir.resolve("npy"), 4, 3, 3, 16, 12, 9),
                100);
        for (LabelledData read : new LabelledData[] {folder, npy}) {
            assertThat(read.classes()).containsExactly("blob-a", "blob-b", "blob-c", "blob-d");
            assertThat(read.images().sampleShape()).containsExactly(3, 16, 12);
            assertThat(read.images().size()).isEqualTo(12);
            for (int i = 0; i < made.size(); i++) {
                assertThat(read.images().label(i)).isEqualTo(made.label(i));
                for (int j = 0; j < made.sampleSize(); j += 37) {
                    assertThat(read.images().value(i, j)).isEqualTo(made.value(i, j));
                }
            }
        }
    }

    @Test
    void classesDifferInColourSoTheyCanBeLearnt() {
        ImageSet made = SyntheticImages.images(2, 20, 3, 16, 16, 1);
        double[] redShare = new double[2];
        for (int i = 0; i < made.size(); i++) {
            double red = 0;
            double green = 0;
            for (int j = 0; j < 256; j++) {
                red += made.value(i, j);
                green += made.value(i, 256 + j);
            }
            redShare[made.label(i)] += red / (red + green) / 20;
        }
        assertThat(redShare[0]).isGreaterThan(redShare[1] + 0.05);
    }
}
