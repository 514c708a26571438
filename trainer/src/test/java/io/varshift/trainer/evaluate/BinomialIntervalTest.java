package io.varshift.trainer.evaluate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BinomialIntervalTest {

    @Test
    void fiveOfTenMatchesThePublishedClopperPearsonInterval() {
        // scipy: beta.ppf(0.025, 5, 6) = 0.1870860, beta.ppf(0.975, 6, 5) = 0.8129140
        BinomialInterval i = BinomialInterval.clopperPearson(5, 10);
        assertThat(i.lower()).isCloseTo(0.1870860, within(1e-6));
        assertThat(i.upper()).isCloseTo(0.8129140, within(1e-6));
    }

    @Test
    void noneOfTenThousandHasTheClosedFormUpperBound() {
        // With 0 successes the upper end solves (1 − p)^n = 0.025.
        BinomialInterval i = BinomialInterval.clopperPearson(0, 10_000);
        assertThat(i.lower()).isZero();
        assertThat(i.upper()).isCloseTo(1 - Math.pow(0.025, 1.0 / 10_000), within(1e-9));
        assertThat(i.upper()).isLessThan(2e-3 * 0.2);
    }

    @Test
    void tenOfTenThousandBracketsTheRateWithoutUnderflow() {
        // scipy: beta.ppf(0.025, 10, 9991) = 0.00047964, beta.ppf(0.975, 11, 9990) = 0.00183826
        BinomialInterval i = BinomialInterval.clopperPearson(10, 10_000);
        assertThat(i.lower()).isCloseTo(4.7964e-4, within(1e-7));
        assertThat(i.upper()).isCloseTo(1.83826e-3, within(1e-7));
    }

    @Test
    void countsOutsideTheTrialsAreRefused() {
        assertThatThrownBy(() -> BinomialInterval.clopperPearson(11, 10)).hasMessageContaining("11 successes of 10");
    }
}
