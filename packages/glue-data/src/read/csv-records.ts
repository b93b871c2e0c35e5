import { readUtf8Chunks } from "./utf8-chunks.js";

export interface CsvRecord {
  cells: string[];
  /** 1-based line on which the record starts. */
  lineNumber: number;
  /** Set when the record breaks the quoting rules; `cells` is then incomplete. */
  error?: string;
}

/**
 * RFC 4180 records of a delimited file, streamed: quoted fields may hold delimiters,
 * doubled quotes and newlines. A quote inside an unquoted field is kept as text (as Python's
 * csv module does); text after a closing quote or an unterminated quote is an error record.
 * Literal text is copied as slices of each chunk, so a 50 MB field costs linear time.
 *
 * Hand-written rather than csv-parse: that reports the line where a record ends, not where it
 * starts, and turns a malformed row into a detached skip event, where the readers need an
 * in-order error record with its start line for `skipMalformed`.
 */
export async function* readCsvRecords(file: string, delimiter = ","): AsyncGenerator<CsvRecord> {
  const QUOTE = 34;
  const d = delimiter.charCodeAt(0);
  let cells: string[] = [];
  let field = "";
  let inQuotes = false;
  let afterQuote = false;
  let fieldStarted = false;
  let error: string | undefined;
  let line = 1;
  let recordLine = 1;
  let pendingQuote = false;
  // Start (in the current chunk) of a run of literal characters not yet copied into `field`, or -1.
  let run = -1;

  const endRecord = (): CsvRecord | null => {
    cells.push(field);
    const rec: CsvRecord = { cells, lineNumber: recordLine, ...(error ? { error } : {}) };
    const blank = cells.length === 1 && cells[0] === "" && !fieldStarted && !error;
    cells = [];
    field = "";
    afterQuote = false;
    fieldStarted = false;
    error = undefined;
    return blank ? null : rec;
  };

  for await (const text of readUtf8Chunks(file)) {
    const flush = (i: number) => {
      if (run >= 0) {
        field += text.slice(run, i);
        run = -1;
      }
    };
    const literal = (i: number) => {
      if (run < 0) run = i;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (pendingQuote) {
        pendingQuote = false;
        if (c === QUOTE) {
          field += '"';
          continue;
        }
        inQuotes = false;
        afterQuote = true;
      }
      if (inQuotes) {
        if (c === QUOTE) {
          flush(i);
          pendingQuote = true;
        } else {
          if (c === 10) line++;
          literal(i);
        }
        continue;
      }
      if (c === d) {
        flush(i);
        cells.push(field);
        field = "";
        afterQuote = false;
        fieldStarted = false;
      } else if (c === 10) {
        flush(i);
        if (field.endsWith("\r") && !afterQuote) field = field.slice(0, -1);
        const rec = endRecord();
        if (rec) yield rec;
        line++;
        recordLine = line;
      } else if (c === 13 && afterQuote) {
        // CR of a CRLF after a quoted field
      } else if (afterQuote) {
        error ??= `unexpected text after a closing quote in column ${cells.length + 1}`;
      } else if (c === QUOTE && !fieldStarted) {
        inQuotes = true;
        fieldStarted = true;
      } else {
        fieldStarted = true;
        literal(i);
      }
    }
    flush(text.length);
  }
  if (pendingQuote) {
    inQuotes = false;
    afterQuote = true;
  }
  if (inQuotes) {
    error ??= "unterminated quoted field (a quote opened here is never closed)";
    cells.push(field);
    yield { cells, lineNumber: recordLine, error };
    return;
  }
  if (field.endsWith("\r") && !afterQuote) field = field.slice(0, -1);
  if (field !== "" || cells.length > 0 || fieldStarted) {
    const rec = endRecord();
    if (rec) yield rec;
  }
}
