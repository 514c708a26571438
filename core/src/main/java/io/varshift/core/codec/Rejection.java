package io.varshift.core.codec;

/**
 * Internal signal that unwinds a decoder to its single exit with a reason; decoders catch exactly this
 * type, so a bug elsewhere still surfaces as an exception. No stack trace: rejections are routine.
 */
final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient RejectReason reason;

    Rejection(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    DecodeResult toResult() {
        return DecodeResult.rejected(reason, getMessage());
    }
}
