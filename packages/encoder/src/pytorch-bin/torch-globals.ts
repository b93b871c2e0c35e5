import type { SafetensorsDtype } from "@aflora/core";
import { PyDict, PyGlobal } from "./pickle-machine.js";

/** A `torch.*Storage` reference from a BINPERSID: the data lives in the zip entry `data/<key>`. */
export interface StorageRef {
  dtype: SafetensorsDtype;
  key: string;
  numel: number;
}

/** What `torch._utils._rebuild_tensor_v2` describes: a strided view into a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** The storage classes PyTorch pickles (legacy names, still used by torch.save), as safetensors dtypes. */
export const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  DoubleStorage: "F64",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};

class StorageType extends PyGlobal {
  constructor(
    name: string,
    readonly dtype: SafetensorsDtype,
  ) {
    super(`torch.${name}`, () => {
      throw new Error("storage classes are only valid inside a persistent id");
    });
  }
}

const intList = (v: unknown, what: string): number[] => {
  if (!Array.isArray(v) || !v.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${what} ${JSON.stringify(v)} is not a tuple of non-negative integers`);
  }
  return v as number[];
};

const rebuildTensor = new PyGlobal("torch._utils._rebuild_tensor_v2", (args) => {
  const [storage, offset, size, stride] = args;
  if (!isStorageRef(storage)) throw new Error("first argument is not a storage");
  if (!Number.isSafeInteger(offset) || (offset as number) < 0)
    throw new Error(`storage offset ${String(offset)} is not a non-negative integer`);
  const shape = intList(size, "size");
  const strides = intList(stride, "stride");
  if (shape.length !== strides.length) throw new Error(`size [${shape}] and stride [${strides}] differ in length`);
  return new TensorRef(storage, offset as number, shape, strides);
});

const GLOBALS = new Map<string, PyGlobal>([
  ["collections.OrderedDict", new PyGlobal("collections.OrderedDict", () => new PyDict())],
  ["torch._utils._rebuild_tensor_v2", rebuildTensor],
  [
    "torch._utils._rebuild_tensor",
    new PyGlobal("torch._utils._rebuild_tensor", (args) => rebuildTensor.call(args.slice(0, 4))),
  ],
  [
    "torch._utils._rebuild_parameter",
    new PyGlobal("torch._utils._rebuild_parameter", ([data]) => {
      if (!(data instanceof TensorRef)) throw new Error("data is not a tensor");
      return data;
    }),
  ],
  ...Object.entries(STORAGE_DTYPES).map(([name, dtype]): [string, PyGlobal] => [
    `torch.${name}`,
    new StorageType(name, dtype),
  ]),
]);

/** The whitelist: anything else (`os.system`, `builtins.eval`, ...) is refused by name. */
export function findTorchGlobal(module: string, name: string): PyGlobal {
  const qualname = `${module}.${name}`;
  const g = GLOBALS.get(qualname);
  if (!g) {
    throw new Error(
      `refusing to load global "${qualname}": a PyTorch state dict only needs ${[...GLOBALS.keys()].join(", ")} ` +
        `(the file may be malicious, or not a plain state dict; re-save it with safetensors)`,
    );
  }
  return g;
}

/** Resolves ('storage', StorageType, key, location, numel) to a StorageRef. */
export function loadTorchStorage(pid: unknown): StorageRef {
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== "storage") {
    throw new Error(`persistent id ${describePid(pid)} is not ('storage', type, key, location, numel)`);
  }
  const [, type, key, , numel] = pid as unknown[];
  if (!(type instanceof StorageType))
    throw new Error(`persistent id names ${describePid(type)}, not a torch storage type`);
  if (typeof key !== "string" || !/^\w+$/.test(key))
    throw new Error(`storage key ${JSON.stringify(key)} is not a plain name`);
  if (!Number.isSafeInteger(numel) || (numel as number) < 0)
    throw new Error(`storage size ${String(numel)} is not a non-negative integer`);
  return { dtype: type.dtype, key, numel: numel as number };
}

function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === "object" && v !== null && "key" in v && "dtype" in v && "numel" in v;
}

function describePid(v: unknown): string {
  if (v instanceof PyGlobal) return v.qualname;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
