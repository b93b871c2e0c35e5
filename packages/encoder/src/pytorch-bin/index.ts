export { readPytorchBin, readPytorchBinFile } from "./read-pytorch-bin.js";
