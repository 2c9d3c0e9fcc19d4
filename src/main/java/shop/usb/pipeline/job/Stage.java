package shop.usb.pipeline.job;

/** The pipeline's stages, with the progress a job shows when it enters each. */
public enum Stage {
    INTAKE("intake", 0),
    VALIDATE("validate", 10),
    SELECT_CONTENT("select-content", 30),
    WRITE_USB("write-usb", 50),
    VERIFY("verify", 90),
    DONE("done", 100);

    /** The stage a run is in from its claim on: the claim enters it, in the same statement. */
    public static final Stage FIRST = VALIDATE;

    /** Where the write stage's byte progress ends: it spans WRITE_USB..WRITE_END. */
    public static final int WRITE_END = 80;

    private final String label;
    private final int progress;

    Stage(String label, int progress) {
        this.label = label;
        this.progress = progress;
    }

    public static Stage fromLabel(String label) {
        for (Stage stage : values()) {
            if (stage.label.equals(label)) {
                return stage;
            }
        }
        return INTAKE;
    }

    public String label() {
        return label;
    }

    public int progress() {
        return progress;
    }
}
