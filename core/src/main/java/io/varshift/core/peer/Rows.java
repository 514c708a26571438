package io.varshift.core.peer;

/** Checks of the row-major arrays the detectors take, with messages that name the values. */
final class Rows {

    private Rows() {
    }

    /**
     * @return the number of rows in {@code data}
     * @throws IllegalArgumentException when the row length is not positive, or the data is empty or not whole rows
     */
    static int count(String detector, String what, float[] data, int rowLength) {
        if (rowLength < 1) {
            throw new IllegalArgumentException(detector + ": row length " + rowLength + " must be >= 1");
        }
        if (data.length == 0) {
            throw new IllegalArgumentException(detector + ": the " + what + " is empty");
        }
        if (data.length % rowLength != 0) {
            throw new IllegalArgumentException(detector + ": the " + what + " has " + data.length
                    + " floats, not a multiple of the row length " + rowLength);
        }
        return data.length / rowLength;
    }

    /** @throws IllegalArgumentException naming the offending row and value when a value is NaN */
    static void requireNoNaN(String detector, String what, float[] data, int rowLength) {
        for (int i = 0; i < data.length; i++) {
            if (Float.isNaN(data[i])) {
                throw new IllegalArgumentException(detector + ": the " + what + " has NaN in row " + i / rowLength
                        + ", column " + i % rowLength);
            }
        }
    }
}
