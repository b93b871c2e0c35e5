import protobuf from "protobufjs";

/**
 * The part of TensorFlow's event.proto, summary.proto, tensor.proto, tensor_shape.proto and types.proto
 * that TensorBoard event files use, with TensorFlow's field numbers (checked by proto.spec.ts against
 * fixtures/tfevents/tensorflow-fields.json, read from TensorFlow's definitions).
 */
export const TENSORBOARD_PROTO = `
syntax = "proto3";
package tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
    SessionLog session_log = 7;
  }
}

message SessionLog {
  enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
  SessionStatus status = 1;
  string checkpoint_path = 2;
  string msg = 3;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  int32 data_class = 4;
}

message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      Image image = 4;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

enum DataType { DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_INT32 = 3; DT_STRING = 7; DT_INT64 = 9; }

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10 [packed = true];
}
`;

export const tensorboardRoot: protobuf.Root = protobuf.parse(TENSORBOARD_PROTO, { keepCase: false }).root;
const EventType = tensorboardRoot.lookupType("tensorboard.Event");

export interface TbImage {
  height: number;
  width: number;
  colorspace: number;
  encodedImageString: Uint8Array;
}

export interface TbTensor {
  dtype?: number;
  tensorShape?: { dim?: { size: number }[] };
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
}

export interface TbValue {
  tag: string;
  simpleValue?: number;
  image?: TbImage;
  tensor?: TbTensor;
  metadata?: { pluginData?: { pluginName: string; content?: Uint8Array }; displayName?: string };
}

/** One TensorBoard `Event` as plain data (protobuf's camelCase field names). */
export interface TbEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: TbValue[] };
  sessionLog?: { status: number; checkpointPath?: string; msg?: string };
}

export function encodeEvent(event: TbEvent): Uint8Array {
  const err = EventType.verify(event);
  if (err) throw new Error(`tensorboard Event: ${err}`);
  return EventType.encode(EventType.fromObject(event)).finish();
}

export function decodeEvent(bytes: Uint8Array): TbEvent {
  const o = EventType.toObject(EventType.decode(bytes), { longs: Number, enums: Number }) as Partial<TbEvent>;
  // proto3 leaves zero scalars off the wire: a step-0 event has no step field.
  return { ...o, wallTime: o.wallTime ?? 0, step: o.step ?? 0 } as TbEvent;
}
