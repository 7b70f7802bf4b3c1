//===- EmitArtifact.cpp - LLVM-dialect module -> LLVM IR -> object -> .kx -===//
#include "compiler/Target/EmitArtifact.h"
#include "runtime/include/kiln/abi.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Transforms/Utils/SplitModule.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace {

std::unique_ptr<llvm::TargetMachine> createTargetMachine(const kiln::TargetOptions &options,
                                                         std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // Inline assembly (the blends of MLIR's AVX2 8x8 transpose) is parsed when emitted.
  llvm::InitializeNativeTargetAsmParser();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures featureSet;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      featureSet.AddFeature(feature.first(), feature.second);
    features = featureSet.getString();
  }
  auto level = options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
               : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                                       : llvm::CodeGenOptLevel::Default;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for CPU '" + cpu + "'";
  else if (!target->hasTargetMachine() ||
           !machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    error = "unknown CPU '" + cpu + "' (try --cpu=native)";
  if (!error.empty())
    return nullptr;
  return machine;
}

/// Private constant holding `bytes`, aligned for any element type.
llvm::Constant *dataGlobal(llvm::Module &module, llvm::StringRef name, llvm::StringRef bytes,
                           unsigned alignment) {
  llvm::Constant *init = llvm::ConstantDataArray::getRaw(
      bytes, bytes.size(), llvm::Type::getInt8Ty(module.getContext()));
  auto *global = new llvm::GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, init, name);
  global->setAlignment(llvm::Align(alignment));
  return global;
}

llvm::Constant *stringGlobal(llvm::Module &module, llvm::StringRef text) {
  llvm::Constant *init = llvm::ConstantDataArray::getString(module.getContext(), text);
  auto *global = new llvm::GlobalVariable(module, init->getType(), true,
                                          llvm::GlobalValue::PrivateLinkage, init, ".kiln.str");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return global;
}

/// `void <entry>(void *const *buffers)`: loads each argument's pointer from the table and
/// calls the lowered function, whose bare-pointer signature lists arguments then results.
llvm::Function *entryWrapper(llvm::Module &module, const kiln::AbiEntry &entry,
                             std::string &error) {
  llvm::Function *callee = module.getFunction(entry.name);
  if (!callee) {
    error = "lowered module has no function '" + entry.name + "'";
    return nullptr;
  }
  if (callee->arg_size() != entry.args.size()) {
    error = "function '" + entry.name + "' takes " + std::to_string(callee->arg_size()) +
            " pointers after lowering, expected " + std::to_string(entry.args.size());
    return nullptr;
  }
  callee->setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *wrapper = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                         "kiln_entry." + entry.name, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  llvm::SmallVector<llvm::Value *> args;
  for (uint32_t index : entry.args) {
    llvm::Value *slot = b.CreateConstInBoundsGEP1_64(ptr, wrapper->getArg(0), index);
    args.push_back(b.CreateAlignedLoad(ptr, slot, llvm::Align(8)));
  }
  b.CreateCall(callee, args);
  b.CreateRetVoid();
  return wrapper;
}

/// Emits the kiln_abi_descriptor_t and the exported function returning it. The struct
/// types mirror abi.h field by field; LLVM's natural alignment matches the C layout.
bool addDescriptor(llvm::Module &module, const kiln::ArtifactAbi &abi, std::string &error) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  auto *bufferType = llvm::StructType::create(ctx, {ptr, i32, i32, i32, ptr, i64, ptr},
                                              "kiln_abi_buffer_t");
  auto *entryType = llvm::StructType::create(ctx, {ptr, ptr, i32, ptr, i64, i32, i32, i64},
                                             "kiln_abi_entry_t");
  auto *descriptorType = llvm::StructType::create(
      ctx, {i64, i32, i32, ptr, i32, ptr, i64, ptr, ptr, ptr}, "kiln_abi_descriptor_t");
  auto u32 = [&](uint64_t v) { return llvm::ConstantInt::get(i32, v); };
  auto u64 = [&](uint64_t v) { return llvm::ConstantInt::get(i64, v); };
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx));

  std::vector<llvm::Constant *> buffers;
  for (const kiln::AbiBuffer &buffer : abi.buffers) {
    std::vector<llvm::Constant *> dims;
    for (int64_t d : buffer.shape)
      dims.push_back(u64(d));
    auto *shapeInit = llvm::ConstantArray::get(llvm::ArrayType::get(i64, dims.size()), dims);
    llvm::Constant *shape = new llvm::GlobalVariable(module, shapeInit->getType(), true,
                                                     llvm::GlobalValue::PrivateLinkage,
                                                     shapeInit, ".kiln.shape");
    llvm::Constant *data = null;
    if (buffer.initialValue) {
      std::vector<char> bytes = kiln::serializeElements(buffer.initialValue);
      if (bytes.size() != buffer.byteSize) {
        error = "initial value of '" + buffer.name + "' has " + std::to_string(bytes.size()) +
                " bytes, expected " + std::to_string(buffer.byteSize);
        return false;
      }
      data = dataGlobal(module, ".kiln.init", llvm::StringRef(bytes.data(), bytes.size()), 64);
    }
    buffers.push_back(llvm::ConstantStruct::get(
        bufferType, {stringGlobal(module, buffer.name), u32(buffer.role), u32(buffer.dtype),
                     u32(buffer.shape.size()), shape, u64(buffer.byteSize), data}));
  }
  auto *buffersInit =
      llvm::ConstantArray::get(llvm::ArrayType::get(bufferType, buffers.size()), buffers);
  auto *buffersGlobal = new llvm::GlobalVariable(module, buffersInit->getType(), true,
                                                 llvm::GlobalValue::PrivateLinkage,
                                                 buffersInit, ".kiln.buffers");

  std::vector<llvm::Constant *> entries;
  for (const kiln::AbiEntry &entry : abi.entries) {
    llvm::Function *wrapper = entryWrapper(module, entry, error);
    if (!wrapper)
      return false;
    std::vector<llvm::Constant *> indices;
    for (uint32_t index : entry.args)
      indices.push_back(u32(index));
    auto *argsInit = llvm::ConstantArray::get(llvm::ArrayType::get(i32, indices.size()), indices);
    llvm::Constant *args = new llvm::GlobalVariable(module, argsInit->getType(), true,
                                                    llvm::GlobalValue::PrivateLinkage,
                                                    argsInit, ".kiln.args");
    entries.push_back(llvm::ConstantStruct::get(
        entryType, {stringGlobal(module, entry.name), wrapper, u32(entry.args.size()), args,
                    u64(entry.workspaceBytes), u32(entry.plannedBuffers), u32(entry.heapBuffers),
                    u64(entry.plannedBytes)}));
  }
  auto *entriesInit =
      llvm::ConstantArray::get(llvm::ArrayType::get(entryType, entries.size()), entries);
  auto *entriesGlobal = new llvm::GlobalVariable(module, entriesInit->getType(), true,
                                                 llvm::GlobalValue::PrivateLinkage,
                                                 entriesInit, ".kiln.entries");

  std::string producer = "kiln " KILN_VERSION_STRING;
  auto *descriptorInit = llvm::ConstantStruct::get(
      descriptorType,
      {u64(KILN_ABI_MAGIC), u32(KILN_ABI_VERSION), u32(abi.buffers.size()), buffersGlobal,
       u32(abi.entries.size()), entriesGlobal, u64(abi.batch), stringGlobal(module, producer),
       stringGlobal(module, abi.source), stringGlobal(module, abi.options)});
  auto *descriptor = new llvm::GlobalVariable(module, descriptorType, true,
                                              llvm::GlobalValue::PrivateLinkage, descriptorInit,
                                              ".kiln.descriptor");
  auto *getterType = llvm::FunctionType::get(ptr, {}, false);
  auto *getter = llvm::Function::Create(getterType, llvm::GlobalValue::ExternalLinkage,
                                        KILN_ABI_DESCRIPTOR_SYMBOL, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", getter));
  b.CreateRet(descriptor);
  return true;
}

void runDefaultPipeline(llvm::Module &module, llvm::TargetMachine &machine, int optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The contractions arrive vectorized from MLIR (compiler/Codegen); SLP vectorization only
  // re-examines their long unrolled bodies, at a third of the whole optimisation time.
  llvm::PipelineTuningOptions tuning;
  tuning.SLPVectorization = false;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                                  : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes = optLevel == 0
                                       ? builder.buildO0DefaultPipeline(level)
                                       : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

} // namespace

std::unique_ptr<llvm::Module> kiln::buildArtifactModule(ModuleOp module, const ArtifactAbi &abi,
                                                        const TargetOptions &options,
                                                        llvm::LLVMContext &llvmContext,
                                                        bool optimize) {
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext,
                                                                     "kiln");
  if (!llvmModule) {
    module.emitError("translation of the lowered module to LLVM IR failed");
    return nullptr;
  }
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options, error);
  if (!machine) {
    module.emitError(error);
    return nullptr;
  }
  llvmModule->setTargetTriple(machine->getTargetTriple().str());
  llvmModule->setDataLayout(machine->createDataLayout());
  if (!addDescriptor(*llvmModule, abi, error)) {
    module.emitError(error);
    return nullptr;
  }
  std::string verifyMessage;
  llvm::raw_string_ostream verifyStream(verifyMessage);
  if (llvm::verifyModule(*llvmModule, &verifyStream)) {
    module.emitError("generated LLVM IR is invalid: ") << verifyMessage;
    return nullptr;
  }
  if (optimize)
    runDefaultPipeline(*llvmModule, *machine, options.optLevel);
  return llvmModule;
}

LogicalResult kiln::optimizeModule(llvm::Module &module, const TargetOptions &options) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options, error);
  if (!machine) {
    llvm::errs() << "kilnc: error: " << error << "\n";
    return failure();
  }
  runDefaultPipeline(module, *machine, options.optLevel);
  return success();
}

namespace {
/// Compiles `module` to an object file at `path` with `machine`; errors go to `error`.
bool emitObject(llvm::Module &module, llvm::TargetMachine &machine, llvm::StringRef path,
                std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  codegen.run(module);
  out.close();
  if (out.has_error()) {
    error = "writing '" + path.str() + "' failed";
    return false;
  }
  return true;
}
} // namespace

LogicalResult kiln::writeObjectFile(llvm::Module &module, const TargetOptions &options,
                                    llvm::StringRef path) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options, error);
  if (!machine || !emitObject(module, *machine, path, error)) {
    llvm::errs() << "kilnc: error: " << error << "\n";
    return failure();
  }
  return success();
}

LogicalResult kiln::writeObjectFilesInParallel(std::unique_ptr<llvm::Module> module,
                                               const TargetOptions &options, unsigned jobs,
                                               llvm::SmallVectorImpl<std::string> &objectPaths) {
  if (jobs == 0)
    jobs = llvm::hardware_concurrency().compute_thread_count();
  // Each part travels as bitcode into a context of its own: LLVM contexts are not shared
  // between threads. Round-robin by size keeps the parts even; functions called across
  // parts become hidden globals, which the link resolves.
  // A linkonce definition (MLIR's integer power helpers) could be dropped as unused by the
  // part that holds it while another part calls it: make it internal, which the split turns
  // into a hidden global of its part.
  for (llvm::GlobalValue &value : module->global_values())
    if (value.hasLinkOnceLinkage() || value.hasWeakLinkage())
      value.setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::SmallVector<llvm::SmallString<0>> parts;
  llvm::SplitModule(
      *module, jobs,
      [&](std::unique_ptr<llvm::Module> part) {
        parts.emplace_back();
        llvm::raw_svector_ostream os(parts.back());
        llvm::WriteBitcodeToFile(*part, os);
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  module.reset();

  // Target machines are created here, on one thread (creating one initialises LLVM's
  // target registry).
  std::string error;
  llvm::SmallVector<std::unique_ptr<llvm::TargetMachine>> machines;
  for (size_t i = 0; i < parts.size(); ++i) {
    machines.push_back(createTargetMachine(options, error));
    if (!machines.back()) {
      llvm::errs() << "kilnc: error: " << error << "\n";
      return failure();
    }
    llvm::SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("kiln", "o", path)) {
      llvm::errs() << "kilnc: error: cannot create a temporary object file: " << ec.message()
                   << "\n";
      return failure();
    }
    objectPaths.push_back(std::string(path));
  }
  size_t firstPath = objectPaths.size() - parts.size();
  llvm::SmallVector<std::string> errors(parts.size());
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency(jobs));
  for (size_t i = 0; i < parts.size(); ++i) {
    pool.async([&, i] {
      llvm::LLVMContext context;
      llvm::Expected<std::unique_ptr<llvm::Module>> part = llvm::parseBitcodeFile(
          llvm::MemoryBufferRef(llvm::StringRef(parts[i].data(), parts[i].size()), "part"),
          context);
      if (!part) {
        errors[i] = llvm::toString(part.takeError());
        return;
      }
      runDefaultPipeline(**part, *machines[i], options.optLevel);
      emitObject(**part, *machines[i], objectPaths[firstPath + i], errors[i]);
    });
  }
  pool.wait();
  for (const std::string &message : errors)
    if (!message.empty()) {
      llvm::errs() << "kilnc: error: " << message << "\n";
      return failure();
    }
  return success();
}

LogicalResult kiln::linkArtifact(llvm::ArrayRef<std::string> objectPaths,
                                 llvm::StringRef outputPath) {
  // A C compiler driver knows where the system's crt files and libm are.
  std::string linker;
  for (const char *candidate : {"clang-19", "cc", "gcc", "clang"}) {
    if (auto found = llvm::sys::findProgramByName(candidate)) {
      linker = *found;
      break;
    }
  }
  if (const char *fromEnv = std::getenv("KILN_LINKER"))
    linker = fromEnv;
  if (linker.empty()) {
    llvm::errs() << "kilnc: error: no C compiler driver (clang-19, cc or gcc) found to link "
                    "the artifact; set KILN_LINKER\n";
    return failure();
  }
  std::string temporary = (outputPath + ".tmp").str();
  std::string errorMessage;
  llvm::SmallVector<llvm::StringRef> args = {linker, "-shared", "-o", temporary};
  args.append(objectPaths.begin(), objectPaths.end());
  // OpenMP only where the code has parallel loops (--as-needed drops it otherwise).
  std::string openmpDir = llvm::sys::path::parent_path(KILN_OPENMP_LIBRARY).str();
  std::string openmpRunPath = "-Wl,-rpath," + openmpDir;
  args.append({"-Wl,-z,defs", "-lm", "-Wl,--as-needed", KILN_OPENMP_LIBRARY,
               openmpRunPath, "-Wl,--no-as-needed"});
  int status = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, {}, 0, 0, &errorMessage);
  if (status != 0) {
    llvm::sys::fs::remove(temporary);
    llvm::errs() << "kilnc: error: linking '" << outputPath << "' with " << linker
                 << " failed" << (errorMessage.empty() ? "" : ": ") << errorMessage << "\n";
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, outputPath)) {
    llvm::sys::fs::remove(temporary);
    llvm::errs() << "kilnc: error: cannot write '" << outputPath << "': " << ec.message()
                 << "\n";
    return failure();
  }
  return success();
}
