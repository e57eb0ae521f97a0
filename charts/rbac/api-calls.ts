// Lists the Kubernetes API calls the controller's code makes, with the TypeScript type checker:
// every reference to a method of a @kubernetes/client-node API class (CoreV1Api, CustomObjectsApi,
// EventsV1Api, ...), whatever the variable holding the client is called. For CustomObjectsApi the
// group and plural are arguments; they are resolved to their literal values, following a
// parameter back to every call of its function when the value is passed in.
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface ApiCall {
  /** Repository-relative file and 1-based line of the reference. */
  file: string;
  line: number;
  /** client-node's exported class name, e.g. CoreV1Api. */
  api: string;
  method: string;
  /** CustomObjectsApi only: the values the group and plural arguments can take. */
  groups?: string[];
  plurals?: string[];
  /** A list that fills an informer, which then watches the same collection. */
  informer: boolean;
}

export interface ScanOptions {
  /** Repository root; tsconfig.json there gives the compiler options. */
  root: string;
  /** Repository-relative globs of the files to scan. */
  include?: string[];
  /** Files whose list calls fill informers (the manager wires every informer). */
  informerFiles?: string[];
  /** In-memory sources (repository-relative path -> text) scanned instead of the globbed files, for tests. */
  sources?: Record<string, string>;
}

const CLIENT_PACKAGE = `${join('node_modules', '@kubernetes', 'client-node')}/`;
const CUSTOM_OBJECTS_API = 'CustomObjectsApi';

export const defaultScan = {
  include: ['controllers/**/*.ts'],
  exclude: /\.test\.ts$/,
  informerFiles: ['controllers/manager.ts'],
};

export function scanApiCalls(options: ScanOptions): ApiCall[] {
  const root = resolve(options.root);
  const files = options.sources
    ? Object.keys(options.sources).map((file) => join(root, file))
    : (options.include ?? defaultScan.include)
        .flatMap((pattern) => globSync(pattern, { cwd: root }))
        .filter((file) => !defaultScan.exclude.test(file))
        .sort()
        .map((file) => join(root, file));
  const program = createProgram(root, files, options.sources);
  const checker = program.getTypeChecker();
  const scanned = files.map((file) => program.getSourceFile(file)).filter((file): file is ts.SourceFile => file !== undefined);
  const informerFiles = new Set((options.informerFiles ?? defaultScan.informerFiles).map((file) => join(root, file)));
  const resolver = new ValueResolver(checker, scanned, root);
  const calls: ApiCall[] = [];

  for (const source of scanned) {
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node)) {
        const target = clientMethod(checker, node.name);
        if (target) calls.push(describeCall(node, target, source, root, resolver, informerFiles.has(source.fileName)));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

/** Parsed declaration files, shared by every scan in a process (parsing client-node's is most of a scan). */
const parsedLibraries = new Map<string, ts.SourceFile>();

function createProgram(root: string, files: string[], sources?: Record<string, string>): ts.Program {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => readFileSync(path, 'utf8'));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root, { noEmit: true }, configPath);
  const host = ts.createCompilerHost(options, true);
  const virtual = new Map(Object.entries(sources ?? {}).map(([file, text]) => [join(root, file), text]));
  const virtualDirs = new Set([...virtual.keys()].map((file) => dirname(file)));
  const { getSourceFile, fileExists, readFile, directoryExists } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.directoryExists = (path) => virtualDirs.has(path) || (directoryExists?.call(host, path) ?? true);
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = virtual.get(path);
    if (text !== undefined) return ts.createSourceFile(path, text, language, true);
    if (!path.endsWith('.d.ts')) return getSourceFile.call(host, path, language, onError, create);
    let parsed = parsedLibraries.get(path);
    if (!parsed) {
      parsed = getSourceFile.call(host, path, language, onError, create);
      if (parsed) parsedLibraries.set(path, parsed);
    }
    return parsed;
  };
  return ts.createProgram({ rootNames: files, options, host });
}

/** The client-node API class and method a property name refers to, if it does. */
function clientMethod(checker: ts.TypeChecker, name: ts.MemberName): { api: string; method: string } | undefined {
  const symbol = checker.getSymbolAtLocation(name);
  for (const declaration of symbol?.declarations ?? []) {
    if (!declaration.getSourceFile().fileName.includes(CLIENT_PACKAGE)) continue;
    const owner = declaration.parent;
    if (!ts.isClassDeclaration(owner) || !owner.name) continue;
    // The package exports ObjectCoreV1Api as CoreV1Api; the Promise and Observable flavours are internal.
    const api = owner.name.text.replace(/^(Object|Promise|Observable)/, '');
    if (api.endsWith('Api')) return { api, method: name.text };
  }
  return undefined;
}

function describeCall(
  access: ts.PropertyAccessExpression,
  target: { api: string; method: string },
  source: ts.SourceFile,
  root: string,
  resolver: ValueResolver,
  inInformerFile: boolean,
): ApiCall {
  const where = locate(access, root);
  const call: ApiCall = { ...where, ...target, informer: inInformerFile && target.method.startsWith('list') };
  if (target.api !== CUSTOM_OBJECTS_API) return call;
  const invocation = access.parent;
  const request = ts.isCallExpression(invocation) && invocation.expression === access ? invocation.arguments[0] : undefined;
  if (!request || !ts.isObjectLiteralExpression(request)) {
    throw new Error(`${where.file}:${where.line}: ${target.method} must be called with an object literal naming group and plural`);
  }
  return { ...call, groups: resolver.property(request, 'group'), plurals: resolver.property(request, 'plural') };
}

function locate(node: ts.Node, root: string): { file: string; line: number } {
  const source = node.getSourceFile();
  return { file: relative(root, source.fileName), line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 };
}

/** Finds the string values an argument can take: literal types, constants, and parameters traced to their callers. */
class ValueResolver {
  private readonly checker: ts.TypeChecker;
  private readonly files: readonly ts.SourceFile[];
  private readonly root: string;

  constructor(checker: ts.TypeChecker, files: readonly ts.SourceFile[], root: string) {
    this.checker = checker;
    this.files = files;
    this.root = root;
  }

  property(object: ts.ObjectLiteralExpression, name: string): string[] {
    const property = object.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
    if (!property) throw this.unresolved(object, `no \`${name}\` property`);
    if (ts.isPropertyAssignment(property)) return this.values(property.initializer, 0);
    if (ts.isShorthandPropertyAssignment(property)) {
      return this.symbolValues(this.checker.getShorthandAssignmentValueSymbol(property), property, 0);
    }
    throw this.unresolved(property, `\`${name}\` is neither a plain nor a shorthand property`);
  }

  private values(expression: ts.Expression, depth: number): string[] {
    const literals = this.literals(this.checker.getTypeAtLocation(expression));
    if (literals) return literals;
    if (ts.isIdentifier(expression)) return this.symbolValues(this.checker.getSymbolAtLocation(expression), expression, depth);
    throw this.unresolved(expression, `cannot tell the value of \`${expression.getText()}\``);
  }

  private literals(type: ts.Type): string[] | undefined {
    const members = type.isUnion() ? type.types : [type];
    if (!members.every((member) => member.isStringLiteral())) return undefined;
    return [...new Set(members.map((member) => (member as ts.StringLiteralType).value))].sort();
  }

  private symbolValues(symbol: ts.Symbol | undefined, at: ts.Node, depth: number): string[] {
    const declaration = symbol?.valueDeclaration;
    if (depth > 8 || !declaration) throw this.unresolved(at, `cannot follow \`${at.getText()}\` to a value`);
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) return this.values(declaration.initializer, depth + 1);
    if (ts.isParameter(declaration)) return this.parameterValues(declaration, at, depth);
    throw this.unresolved(at, `cannot follow \`${at.getText()}\` to a value`);
  }

  /** The values every caller of the parameter's function passes in its place. */
  private parameterValues(parameter: ts.ParameterDeclaration, at: ts.Node, depth: number): string[] {
    const fn = parameter.parent;
    const index = fn.parameters.indexOf(parameter);
    const name = ts.isFunctionDeclaration(fn) ? fn.name : ts.isVariableDeclaration(fn.parent) ? fn.parent.name : undefined;
    const fnSymbol = name && ts.isIdentifier(name) ? this.checker.getSymbolAtLocation(name) : undefined;
    if (!name || !fnSymbol) throw this.unresolved(at, `\`${at.getText()}\` is a parameter of an unnamed function`);
    const values = new Set<string>();
    let callers = 0;
    for (const call of this.callsOf(fnSymbol)) {
      const argument = call.arguments[index];
      if (!argument) throw this.unresolved(call, `no argument for \`${parameter.name.getText()}\``);
      for (const value of this.values(argument, depth + 1)) values.add(value);
      callers++;
    }
    if (callers === 0) throw this.unresolved(at, `\`${name.getText()}\` is never called, so \`${at.getText()}\` has no value`);
    return [...values].sort();
  }

  private callsOf(fnSymbol: ts.Symbol): ts.CallExpression[] {
    const calls: ts.CallExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
        let symbol = this.checker.getSymbolAtLocation(callee);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
        if (symbol === fnSymbol) calls.push(node);
      }
      ts.forEachChild(node, visit);
    };
    for (const file of this.files) visit(file);
    return calls;
  }

  private unresolved(node: ts.Node, why: string): Error {
    const { file, line } = locate(node, this.root);
    return new Error(`${file}:${line}: ${why}; pass a constant (e.g. IMAGESPEC_PLURAL) so the chart's RBAC can be derived`);
  }
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
