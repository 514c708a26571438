package io.varshift.core.window;

class FirstOfWindowPolicyTest extends WindowPolicyContract {

    @Override
    WindowPolicy policy() {
        return WindowPolicy.of((int) SAMPLES, DURATION);
    }

    @Override
    boolean closesByCount() {
        return true;
    }

    @Override
    boolean closesByTime() {
        return true;
    }
}
