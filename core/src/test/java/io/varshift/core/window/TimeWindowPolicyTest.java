package io.varshift.core.window;

class TimeWindowPolicyTest extends WindowPolicyContract {

    @Override
    WindowPolicy policy() {
        return WindowPolicy.time(DURATION);
    }

    @Override
    boolean closesByCount() {
        return false;
    }

    @Override
    boolean closesByTime() {
        return true;
    }
}
