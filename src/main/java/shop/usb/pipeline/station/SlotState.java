package shop.usb.pipeline.station;

/**
 * What a slot is doing. EMPTY: no stick. READY: a blank, usable stick. WRITING: taken by a job (or
 * kept for one). DONE: holds a verified order and takes no other until the stick is removed or the
 * slot released. FAULTY: a stick that cannot be used, with the reason. A folder slot is READY while
 * its folder is there: it takes one order after the other.
 */
public enum SlotState {
    EMPTY,
    READY,
    WRITING,
    DONE,
    FAULTY
}
