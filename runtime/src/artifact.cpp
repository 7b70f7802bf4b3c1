//===- artifact.cpp - loading and validating a kiln artifact --------------===//
//
// An artifact is only trusted after its descriptor has been checked against abi.h: a
// malformed or foreign shared object must produce an error, never a crash later in a run.
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <set>
#include <vector>

namespace {

bool knownDtype(uint32_t dtype) { return kiln_dtype_size(static_cast<kiln_abi_dtype_t>(dtype)); }

kiln_status_t invalid(const std::string &path, const std::string &what) {
  return kilnMakeStatus(KILN_STATUS_INVALID_ARTIFACT, path + ": " + what);
}

/// Checks every field a later step relies on: names, roles, dtypes, shapes, sizes, entries.
kiln_status_t validateDescriptor(const std::string &path, const kiln_abi_descriptor_t *d) {
  if (d->magic != KILN_ABI_MAGIC)
    return invalid(path, "not a kiln artifact (bad descriptor magic)");
  if (d->abi_version != KILN_ABI_VERSION)
    return kilnMakeStatus(KILN_STATUS_INCOMPATIBLE,
                          path + ": artifact ABI version " + std::to_string(d->abi_version) +
                              ", this runtime supports version " +
                              std::to_string(KILN_ABI_VERSION) + "; recompile it with kilnc");
  if (d->num_buffers && !d->buffers)
    return invalid(path, "descriptor lists buffers but has no buffer table");
  std::set<std::string> names;
  for (uint32_t i = 0; i < d->num_buffers; ++i) {
    const kiln_abi_buffer_t &b = d->buffers[i];
    std::string label = "buffer #" + std::to_string(i);
    if (!b.name || !*b.name)
      return invalid(path, label + " has no name");
    label = "buffer '" + std::string(b.name) + "'";
    if (!names.insert(b.name).second)
      return invalid(path, "two buffers are named '" + std::string(b.name) + "'");
    if (b.role >= KILN_ROLE_COUNT_)
      return invalid(path, label + " has unknown role " + std::to_string(b.role));
    if (!knownDtype(b.dtype))
      return invalid(path, label + " has unknown dtype " + std::to_string(b.dtype));
    if (b.rank > KILN_ABI_MAX_RANK)
      return invalid(path, label + " has rank " + std::to_string(b.rank) + " > " +
                               std::to_string(KILN_ABI_MAX_RANK));
    if (b.rank && !b.shape)
      return invalid(path, label + " has no shape");
    uint64_t elements = 1;
    for (uint32_t r = 0; r < b.rank; ++r) {
      if (b.shape[r] < 0)
        return invalid(path, label + " has a negative dimension in shape " +
                                 kilnShapeString(b.shape, b.rank));
      elements *= static_cast<uint64_t>(b.shape[r]);
    }
    uint64_t expected = elements * kiln_dtype_size(static_cast<kiln_abi_dtype_t>(b.dtype));
    if (b.byte_size != expected)
      return invalid(path, label + " declares " + std::to_string(b.byte_size) +
                               " bytes, but shape " + kilnShapeString(b.shape, b.rank) + " of " +
                               kiln_dtype_name(static_cast<kiln_abi_dtype_t>(b.dtype)) +
                               " needs " + std::to_string(expected));
  }
  if (d->num_entries && !d->entries)
    return invalid(path, "descriptor lists entry points but has no entry table");
  std::set<std::string> entryNames;
  for (uint32_t i = 0; i < d->num_entries; ++i) {
    const kiln_abi_entry_t &e = d->entries[i];
    if (!e.name || !*e.name)
      return invalid(path, "entry point #" + std::to_string(i) + " has no name");
    std::string label = "entry point '" + std::string(e.name) + "'";
    if (!entryNames.insert(e.name).second)
      return invalid(path, "two entry points are named '" + std::string(e.name) + "'");
    if (!e.fn)
      return invalid(path, label + " has no function");
    if (e.num_args && !e.arg_buffers)
      return invalid(path, label + " has no argument list");
    for (uint32_t a = 0; a < e.num_args; ++a)
      if (e.arg_buffers[a] >= d->num_buffers)
        return invalid(path, label + " argument #" + std::to_string(a) + " refers to buffer " +
                                 std::to_string(e.arg_buffers[a]) + ", but there are only " +
                                 std::to_string(d->num_buffers));
  }
  return nullptr;
}

/// Checks that the file is a 64-bit ELF shared object whose headers and loadable segments
/// lie inside the file. dlopen trusts these headers: a truncated artifact would otherwise be
/// mapped past its end and crash the process (SIGBUS) instead of failing to load.
kiln_status_t checkElfBounds(const std::string &path, uint64_t fileSize) {
  std::ifstream file(path, std::ios::binary);
  Elf64_Ehdr header;
  if (fileSize < sizeof(header) || !file.read(reinterpret_cast<char *>(&header), sizeof(header)) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64)
    return invalid(path, "not a kiln artifact (not a 64-bit ELF shared object)");
  if (header.e_type != ET_DYN)
    return invalid(path, "not a kiln artifact (an ELF file, but not a shared object)");
  auto inside = [&](uint64_t offset, uint64_t size) {
    return offset <= fileSize && size <= fileSize - offset;
  };
  if (header.e_phentsize != sizeof(Elf64_Phdr) ||
      !inside(header.e_phoff, uint64_t(header.e_phnum) * sizeof(Elf64_Phdr)))
    return invalid(path, "truncated or corrupt artifact (program headers outside the file)");
  if (header.e_shoff &&
      !inside(header.e_shoff, uint64_t(header.e_shnum) * uint64_t(header.e_shentsize)))
    return invalid(path, "truncated or corrupt artifact (section headers outside the file)");
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  file.seekg(header.e_phoff);
  if (!file.read(reinterpret_cast<char *>(segments.data()),
                 segments.size() * sizeof(Elf64_Phdr)))
    return invalid(path, "truncated or corrupt artifact (unreadable program headers)");
  for (const Elf64_Phdr &segment : segments)
    if (segment.p_type == PT_LOAD && !inside(segment.p_offset, segment.p_filesz))
      return invalid(path, "truncated or corrupt artifact (a segment ends past the end of the "
                           "file, " + std::to_string(fileSize) + " bytes)");
  return nullptr;
}

} // namespace

kiln_status_t kiln_artifact_load(const char *path, kiln_artifact_t **out_artifact) {
  if (!path || !out_artifact)
    return kilnMakeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_artifact_load: NULL argument");
  *out_artifact = nullptr;
  struct stat info;
  if (stat(path, &info) != 0)
    return kilnMakeStatus(KILN_STATUS_NOT_FOUND,
                          std::string(path) + ": no such artifact file");
  KILN_RETURN_IF_ERROR(checkElfBounds(path, static_cast<uint64_t>(info.st_size)));
  // dlopen searches the library path for names without a slash; an artifact is a file.
  std::string openPath = std::strchr(path, '/') ? path : std::string("./") + path;
  void *library = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    return invalid(path, std::string("cannot load as a shared object (not a kiln artifact, or "
                                     "truncated): ") + (reason ? reason : "unknown error"));
  }
  auto getter = reinterpret_cast<kiln_abi_descriptor_fn_t>(
      dlsym(library, KILN_ABI_DESCRIPTOR_SYMBOL));
  const kiln_abi_descriptor_t *descriptor = getter ? getter() : nullptr;
  if (!descriptor) {
    dlclose(library);
    return invalid(path, "not a kiln artifact (no " KILN_ABI_DESCRIPTOR_SYMBOL " symbol)");
  }
  if (kiln_status_t status = validateDescriptor(path, descriptor)) {
    dlclose(library);
    return status;
  }
  auto *artifact = new kiln_artifact_s;
  artifact->library = library;
  artifact->descriptor = descriptor;
  artifact->path = path;
  *out_artifact = artifact;
  return nullptr;
}

void kiln_artifact_retain(kiln_artifact_t *artifact) {
  if (artifact)
    artifact->references.fetch_add(1);
}

void kiln_artifact_release(kiln_artifact_t *artifact) {
  if (!artifact || artifact->references.fetch_sub(1) != 1)
    return;
  dlclose(artifact->library);
  delete artifact;
}

uint32_t kiln_artifact_buffer_count(const kiln_artifact_t *artifact) {
  return artifact->descriptor->num_buffers;
}

kiln_buffer_info_t kiln_artifact_buffer_info(const kiln_artifact_t *artifact, uint32_t index) {
  const kiln_abi_buffer_t &b = artifact->descriptor->buffers[index];
  return {b.name, static_cast<kiln_abi_role_t>(b.role), static_cast<kiln_abi_dtype_t>(b.dtype),
          b.rank, b.shape, b.byte_size};
}

int64_t kiln_artifact_find_buffer(const kiln_artifact_t *artifact, const char *name) {
  for (uint32_t i = 0; i < artifact->descriptor->num_buffers; ++i)
    if (std::strcmp(artifact->descriptor->buffers[i].name, name) == 0)
      return i;
  return -1;
}

uint32_t kiln_artifact_entry_count(const kiln_artifact_t *artifact) {
  return artifact->descriptor->num_entries;
}

const char *kiln_artifact_entry_name(const kiln_artifact_t *artifact, uint32_t index) {
  return artifact->descriptor->entries[index].name;
}

uint32_t kiln_artifact_entry_arg_count(const kiln_artifact_t *artifact, uint32_t index) {
  return artifact->descriptor->entries[index].num_args;
}

uint32_t kiln_artifact_entry_arg(const kiln_artifact_t *artifact, uint32_t index,
                                 uint32_t arg) {
  return artifact->descriptor->entries[index].arg_buffers[arg];
}

int64_t kiln_artifact_find_entry(const kiln_artifact_t *artifact, const char *name) {
  for (uint32_t i = 0; i < artifact->descriptor->num_entries; ++i)
    if (std::strcmp(artifact->descriptor->entries[i].name, name) == 0)
      return i;
  return -1;
}

int64_t kiln_artifact_batch(const kiln_artifact_t *artifact) {
  return artifact->descriptor->batch;
}

static const char *orEmpty(const char *text) { return text ? text : ""; }

const char *kiln_artifact_producer(const kiln_artifact_t *artifact) {
  return orEmpty(artifact->descriptor->producer);
}
const char *kiln_artifact_source(const kiln_artifact_t *artifact) {
  return orEmpty(artifact->descriptor->source);
}
const char *kiln_artifact_options(const kiln_artifact_t *artifact) {
  return orEmpty(artifact->descriptor->options);
}
const char *kiln_artifact_path(const kiln_artifact_t *artifact) {
  return artifact->path.c_str();
}

const char *kiln_role_name(kiln_abi_role_t role) {
  static const char *const names[] = {"input",      "label",  "parameter",   "gradient",
                                      "optimizer_state", "activation", "output", "scalar_input"};
  return role < KILN_ROLE_COUNT_ ? names[role] : "unknown";
}

const char *kiln_dtype_name(kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "float32";
  case KILN_DTYPE_U8: return "uint8";
  case KILN_DTYPE_I8: return "int8";
  case KILN_DTYPE_U16: return "uint16";
  case KILN_DTYPE_I16: return "int16";
  case KILN_DTYPE_I32: return "int32";
  case KILN_DTYPE_I64: return "int64";
  case KILN_DTYPE_BOOL: return "bool";
  case KILN_DTYPE_F16: return "float16";
  case KILN_DTYPE_F64: return "float64";
  case KILN_DTYPE_U32: return "uint32";
  case KILN_DTYPE_U64: return "uint64";
  case KILN_DTYPE_BF16: return "bfloat16";
  }
  return "unknown";
}

size_t kiln_dtype_size(kiln_abi_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_U8: case KILN_DTYPE_I8: case KILN_DTYPE_BOOL: return 1;
  case KILN_DTYPE_U16: case KILN_DTYPE_I16: case KILN_DTYPE_F16: case KILN_DTYPE_BF16: return 2;
  case KILN_DTYPE_F32: case KILN_DTYPE_I32: case KILN_DTYPE_U32: return 4;
  case KILN_DTYPE_I64: case KILN_DTYPE_F64: case KILN_DTYPE_U64: return 8;
  }
  return 0;
}
