/**
 * Limits on manifest text, checked while it is parsed, before anything costs time. A real manifest is a few kB,
 * a dozen levels deep, with a few aliases; hostile or broken YAML (100,000 nested brackets, an alias bomb, a
 * recursive alias) is refused with one located problem instead of overflowing the stack or running for minutes.
 */
import { Composer, Lexer, Parser, YAMLParseError, type CST, type Document, type LineCounter } from 'yaml';

/** Nesting levels (mappings and lists inside each other), through aliases too. The JS stack gives out near 1,000. */
export const MAX_DEPTH = 64;
/** Characters in one manifest file (4 MiB): a long scalar is cheap, but validation time still grows with the text. */
export const MAX_CHARS = 4 * 1024 * 1024;
/**
 * Lexical tokens (about 6 per `- item` line): yaml parses ~1 MB of small values a second, so the number of
 * values, not the size, is what makes a file slow. 200,000 is ~33,000 values, well under a second; a real manifest has hundreds.
 */
export const MAX_TOKENS = 200_000;

export interface BoundedParse {
  doc: Document.Parsed;
  /** A limit the text crossed, at the offset where it did; the document is empty then. */
  limit?: { offset: number; message: string; hint: string };
}

/**
 * `parseDocument`, with the nesting depth checked token by token: the parser keeps open collections on a stack
 * (no recursion), so its length is the depth, known before the composer (which recurses) sees the tree.
 */
export function parseBounded(text: string, lineCounter: LineCounter, options: { uniqueKeys: boolean }): BoundedParse {
  lineCounter.addNewLine(0);
  if (text.length > MAX_CHARS) {
    return refuse(text, lineCounter, {
      offset: MAX_CHARS,
      message: `The file is ${mib(text.length)} MB; a manifest may have at most ${mib(MAX_CHARS)} MB`,
      hint: 'a manifest is a few kB: check that this is the file you meant, or split it into several manifests',
    });
  }
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  let lexemes = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (++lexemes > MAX_TOKENS) {
      return refuse(text, lineCounter, {
        offset: parser.offset,
        message: `More than ${MAX_TOKENS.toLocaleString('en-US')} YAML tokens (keys, values, punctuation) by here; a manifest has a few hundred`,
        hint: 'check that this is the file you meant, or split it into several manifests',
      });
    }
    // stack[0] is the document itself.
    if (parser.stack.length - 1 > MAX_DEPTH) {
      return refuse(text, lineCounter, {
        offset: parser.offset,
        message: `Nesting deeper than ${MAX_DEPTH} levels (mappings and lists inside each other)`,
        hint: `a manifest needs about a dozen levels; ${MAX_DEPTH} is the limit`,
      });
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return { doc: compose(tokens, text.length, options) };
}

/** What `parseDocument` does with the tokens: one document, and an error when the text holds several. */
function compose(tokens: Iterable<CST.Token>, end: number, options: { uniqueKeys: boolean }): Document.Parsed {
  const composer = new Composer({ ...options, prettyErrors: false });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, end)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          next.range.slice(0, 2) as [number, number],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return doc!;
}

/** An empty document (nothing else is checked), with every line start known so the problem can be located. */
function refuse(text: string, lineCounter: LineCounter, limit: NonNullable<BoundedParse['limit']>): BoundedParse {
  const known = lineCounter.lineStarts[lineCounter.lineStarts.length - 1] ?? 0;
  for (let at = text.indexOf('\n', known); at >= 0 && at < limit.offset; at = text.indexOf('\n', at + 1)) {
    if (at + 1 > known) lineCounter.addNewLine(at + 1);
  }
  return { doc: compose([], 0, { uniqueKeys: true }), limit };
}

function mib(chars: number): string {
  return (chars / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}
