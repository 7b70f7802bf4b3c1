//===- ArtifactAbi.cpp - collect an artifact's buffer table and entries ---===//
#include "compiler/Target/ArtifactAbi.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "runtime/include/kiln/abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cstring>

using namespace mlir;

uint32_t kiln::abiDtypeOf(Type type) {
  if (type.isF32())
    return KILN_DTYPE_F32;
  if (type.isF64())
    return KILN_DTYPE_F64;
  if (type.isF16())
    return KILN_DTYPE_F16;
  if (type.isBF16())
    return KILN_DTYPE_BF16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return 0;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return KILN_DTYPE_BOOL;
  case 8:
    return isUnsigned ? KILN_DTYPE_U8 : KILN_DTYPE_I8;
  case 16:
    return isUnsigned ? KILN_DTYPE_U16 : KILN_DTYPE_I16;
  case 32:
    return isUnsigned ? KILN_DTYPE_U32 : KILN_DTYPE_I32;
  case 64:
    return isUnsigned ? KILN_DTYPE_U64 : KILN_DTYPE_I64;
  default:
    return 0;
  }
}

uint64_t kiln::abiDtypeSize(uint32_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_U8:
  case KILN_DTYPE_I8:
  case KILN_DTYPE_BOOL:
    return 1;
  case KILN_DTYPE_U16:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
    return 2;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_U32:
    return 4;
  default:
    return 8;
  }
}

std::vector<char> kiln::serializeElements(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  int64_t count = type.getNumElements();
  std::vector<char> bytes;
  if (type.getElementType().isInteger(1)) {
    // MLIR packs booleans as bits; the runtime stores one byte per element.
    for (bool b : value.getValues<bool>())
      bytes.push_back(b ? 1 : 0);
    return bytes;
  }
  uint64_t elementSize = abiDtypeSize(abiDtypeOf(type.getElementType()));
  bytes.resize(count * elementSize);
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    raw = dense.getRawData();
  else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      raw = blob->getData();
  }
  if (raw.size() == bytes.size()) {
    std::memcpy(bytes.data(), raw.data(), bytes.size());
  } else if (raw.size() == elementSize) {
    // A splat stores one element.
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(bytes.data() + i * elementSize, raw.data(), elementSize);
  }
  return bytes;
}

static uint32_t roleFromName(StringRef role) {
  return llvm::StringSwitch<uint32_t>(role)
      .Case("input", KILN_ROLE_INPUT)
      .Case("label", KILN_ROLE_LABEL)
      .Case("parameter", KILN_ROLE_PARAMETER)
      .Case("gradient", KILN_ROLE_GRADIENT)
      .Case("optimizer_state", KILN_ROLE_OPTIMIZER_STATE)
      .Case("activation", KILN_ROLE_ACTIVATION)
      .Case("output", KILN_ROLE_OUTPUT)
      .Case("scalar_input", KILN_ROLE_SCALAR_INPUT)
      .Case("state", KILN_ROLE_STATE)
      .Case("prepared", KILN_ROLE_PREPARED)
      .Default(KILN_ROLE_COUNT_);
}

namespace {

/// Builds the buffer table entry by entry; a name seen again is the same buffer.
class AbiCollector {
public:
  AbiCollector(ModuleOp module, kiln::ArtifactAbi &abi) : abi(abi) {
    for (auto parameter : module.getOps<kiln::ParameterOp>())
      initialValues[parameter.getSymName()] = parameter.getInitialValue();
    for (auto [index, buffer] : llvm::enumerate(abi.buffers))
      indexByName[buffer.name] = index;
  }

  /// The buffer of one argument or result: added, or found by name.
  FailureOr<uint32_t> addBuffer(Operation *where, DictionaryAttr attrs, Type type,
                                StringRef what) {
    auto name = attrs ? attrs.getAs<StringAttr>(kiln::kBufferAttrName) : StringAttr();
    auto role = attrs ? attrs.getAs<StringAttr>(kiln::kRoleAttrName) : StringAttr();
    if (!name || !role)
      return where->emitError() << what << " lacks `" << kiln::kBufferAttrName << "` and `"
                                << kiln::kRoleAttrName << "` attributes";
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return where->emitError() << what << " '" << name.getValue()
                                << "' must be a statically shaped tensor, got " << type;
    if (tensor.getNumElements() == 0)
      return where->emitError() << what << " '" << name.getValue() << "' of type " << type
                                << " has no elements; empty tensors are not supported yet";
    uint32_t dtype = kiln::abiDtypeOf(tensor.getElementType());
    if (dtype == 0)
      return where->emitError() << what << " '" << name.getValue()
                                << "' has an element type the artifact cannot carry: "
                                << tensor.getElementType();
    uint32_t roleCode = roleFromName(role.getValue());
    if (roleCode == KILN_ROLE_COUNT_)
      return where->emitError() << "unknown role '" << role.getValue() << "' of " << what;
    auto [it, inserted] = indexByName.try_emplace(name.getValue(), abi.buffers.size());
    if (!inserted) {
      const kiln::AbiBuffer &existing = abi.buffers[it->second];
      if (ArrayRef<int64_t>(existing.shape) != tensor.getShape() || existing.dtype != dtype ||
          existing.role != roleCode)
        return where->emitError() << "buffer '" << name.getValue()
                                  << "' is used with two different types or roles";
      return it->second;
    }
    kiln::AbiBuffer buffer;
    buffer.name = name.getValue().str();
    buffer.role = roleCode;
    buffer.dtype = dtype;
    buffer.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    buffer.byteSize = tensor.getNumElements() * kiln::abiDtypeSize(dtype);
    if (roleCode == KILN_ROLE_PARAMETER || roleCode == KILN_ROLE_STATE)
      buffer.initialValue = initialValues.lookup(buffer.name);
    abi.buffers.push_back(std::move(buffer));
    return it->second;
  }

  /// Appends the buffers of arguments `first`.. of `func` to `args` at `position`.
  LogicalResult addArguments(func::FuncOp func, unsigned first,
                             llvm::SmallVectorImpl<uint32_t> &args, size_t position) {
    for (unsigned i = first; i < func.getNumArguments(); ++i) {
      FailureOr<uint32_t> index = addBuffer(func, func.getArgAttrDict(i),
                                            func.getArgumentTypes()[i],
                                            "argument #" + std::to_string(i));
      if (failed(index))
        return failure();
      args.insert(args.begin() + position++, *index);
    }
    return success();
  }

  FailureOr<kiln::AbiEntry> collectEntry(func::FuncOp func) {
    kiln::AbiEntry entry;
    entry.name = func.getSymName().str();
    entry.numArguments = func.getNumArguments();
    if (failed(addArguments(func, 0, entry.args, 0)))
      return failure();
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      // A result naming one of the entry's argument buffers updates it in place
      // (kiln-inplace-buffers): the buffer is passed once.
      size_t numArgs = func.getNumArguments();
      FailureOr<uint32_t> index = addBuffer(func, func.getResultAttrDict(i),
                                            func.getResultTypes()[i],
                                            "result #" + std::to_string(i));
      if (failed(index))
        return failure();
      if (!llvm::is_contained(ArrayRef<uint32_t>(entry.args).take_front(numArgs), *index))
        entry.args.push_back(*index);
    }
    return entry;
  }

private:
  kiln::ArtifactAbi &abi;
  llvm::StringMap<uint32_t> indexByName;
  llvm::StringMap<ElementsAttr> initialValues;
};

bool isEntry(func::FuncOp func) { return !func.isPrivate() && !func.isExternal(); }

} // namespace

FailureOr<kiln::ArtifactAbi> kiln::collectArtifactAbi(ModuleOp module) {
  ArtifactAbi abi;
  AbiCollector collector(module, abi);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!isEntry(func))
      continue;
    FailureOr<AbiEntry> entry = collector.collectEntry(func);
    if (failed(entry))
      return failure();
    abi.entries.push_back(std::move(*entry));
  }
  if (abi.entries.empty())
    return module.emitError("no entry function (a public func.func) to compile");
  return abi;
}

LogicalResult kiln::amendArtifactAbi(ModuleOp module, ArtifactAbi &abi) {
  AbiCollector collector(module, abi);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!isEntry(func))
      continue;
    auto known = llvm::find_if(abi.entries,
                               [&](const AbiEntry &e) { return e.name == func.getSymName(); });
    if (known == abi.entries.end()) {
      FailureOr<AbiEntry> entry = collector.collectEntry(func);
      if (failed(entry))
        return failure();
      abi.entries.push_back(std::move(*entry));
      continue;
    }
    // Arguments appended since: after the old ones, before the results.
    if (failed(collector.addArguments(func, known->numArguments, known->args,
                                      known->numArguments)))
      return failure();
    known->numArguments = func.getNumArguments();
  }
  return success();
}

void kiln::addWorkspaceBuffer(ArtifactAbi &abi) {
  uint64_t bytes = 0;
  for (const AbiEntry &entry : abi.entries)
    bytes = std::max(bytes, entry.workspaceBytes);
  if (bytes == 0)
    return;
  // Model buffers may be called anything: the workspace takes the first free name.
  std::string name = "kiln.workspace";
  for (unsigned suffix = 1; llvm::any_of(abi.buffers, [&](const AbiBuffer &b) {
         return b.name == name;
       });
       ++suffix)
    name = "kiln.workspace." + std::to_string(suffix);
  AbiBuffer workspace;
  workspace.name = name;
  workspace.role = KILN_ROLE_WORKSPACE;
  workspace.dtype = KILN_DTYPE_U8;
  workspace.shape = {static_cast<int64_t>(bytes)};
  workspace.byteSize = bytes;
  uint32_t index = abi.buffers.size();
  abi.buffers.push_back(std::move(workspace));
  for (AbiEntry &entry : abi.entries)
    if (entry.workspaceBytes > 0)
      entry.args.push_back(index);
}
