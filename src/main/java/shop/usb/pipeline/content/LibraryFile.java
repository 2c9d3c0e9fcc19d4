package shop.usb.pipeline.content;

import java.nio.file.Path;

/** A file of the content library: its library-relative path ('/' separated), location and size. */
public record LibraryFile(String relativePath, Path source, long size) {}
