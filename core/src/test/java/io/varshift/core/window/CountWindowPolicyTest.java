package io.varshift.core.window;

class CountWindowPolicyTest extends WindowPolicyContract {

    @Override
    WindowPolicy policy() {
        return WindowPolicy.count(SAMPLES);
    }

    @Override
    boolean closesByCount() {
        return true;
    }

    @Override
    boolean closesByTime() {
        return false;
    }
}
