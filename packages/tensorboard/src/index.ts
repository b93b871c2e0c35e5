// TensorBoard event files: writing and reading them (TFRecord framing, masked CRC32C).
export { crc32c } from "./crc32c.js";
export { EventFileWriter, type EventFileWriterOptions } from "./event-file-writer.js";
export { readEventFile, scalarSeries, type ScalarPoint } from "./event-file-reader.js";

// The reporter plugin and its tag names (Hugging Face Trainer names where they exist).
export { TAGS } from "./tags.js";
export { TensorBoardReporter, type TensorBoardReporterOptions } from "./tensorboard-reporter.js";
export { register } from "./register.js";
