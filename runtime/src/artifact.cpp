//===- artifact.cpp - loading a kiln artifact and describing it -----------===//
//
// Loading is: the file exists and is a regular file; it is a 64-bit ELF shared object whose
// headers and segments lie inside it (dlopen trusts them); dlopen succeeds; it exports the
// descriptor symbol; the descriptor validates (validate.cpp). Each step names the file in its
// error. The accessors tolerate bad indices so that a caller's mistake is not a crash.
//
//===----------------------------------------------------------------------===//
#include "internal.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

using namespace kiln::runtime;

namespace {

kiln_status_t invalid(const std::string &path, const std::string &what) {
  return makeStatus(KILN_STATUS_INVALID_ARTIFACT, path + ": " + what);
}

/// Checks that the file is a 64-bit ELF shared object whose headers and loadable segments lie
/// inside the file. dlopen maps segments as the headers say: a truncated artifact would be
/// mapped past its end and crash the process (SIGBUS) on first touch instead of failing to load.
kiln_status_t checkElfBounds(const std::string &path, uint64_t fileSize) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot open artifact: " +
                                                std::strerror(errno));
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
  file.seekg(static_cast<std::streamoff>(header.e_phoff));
  if (!file.read(reinterpret_cast<char *>(segments.data()),
                 static_cast<std::streamsize>(segments.size() * sizeof(Elf64_Phdr))))
    return invalid(path, "truncated or corrupt artifact (unreadable program headers)");
  for (const Elf64_Phdr &segment : segments)
    if (segment.p_type == PT_LOAD && !inside(segment.p_offset, segment.p_filesz))
      return invalid(path, "truncated or corrupt artifact (a segment ends past the end of the "
                           "file, " + std::to_string(fileSize) + " bytes)");
  return nullptr;
}

kiln_status_t loadArtifact(const char *path, kiln_artifact_t **out_artifact) {
  struct stat info;
  if (stat(path, &info) != 0)
    return makeStatus(errno == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_IO_ERROR,
                      std::string(path) + ": " +
                          (errno == ENOENT ? "no such artifact file" : std::strerror(errno)));
  if (!S_ISREG(info.st_mode))
    return invalid(path, "not a kiln artifact (not a regular file)");
  KILN_RETURN_IF_ERROR(checkElfBounds(path, static_cast<uint64_t>(info.st_size)));

  // dlopen searches the library path for a name without a slash; an artifact is a file.
  std::string openPath = std::strchr(path, '/') ? path : std::string("./") + path;
  dlerror(); // clear a stale message
  void *library = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    return invalid(path, std::string("cannot load as a shared object (not a kiln artifact, or "
                                     "truncated): ") + (reason ? reason : "unknown error"));
  }
  auto getter = reinterpret_cast<kiln_abi_descriptor_fn_t>(
      dlsym(library, KILN_ABI_DESCRIPTOR_SYMBOL));
  if (!getter) {
    dlclose(library);
    return invalid(path, "not a kiln artifact (no " KILN_ABI_DESCRIPTOR_SYMBOL " symbol)");
  }
  const kiln_abi_descriptor_t *descriptor = getter();
  if (!descriptor) {
    dlclose(library);
    return invalid(path, "not a kiln artifact (" KILN_ABI_DESCRIPTOR_SYMBOL " returned NULL)");
  }
  if (kiln_status_t status = validateDescriptor(path, descriptor)) {
    dlclose(library);
    return status;
  }
  auto *artifact = new (std::nothrow) kiln_artifact_s;
  if (!artifact) {
    dlclose(library);
    return makeStatus(KILN_STATUS_OUT_OF_MEMORY, std::string(path) + ": out of memory");
  }
  artifact->library = library;
  artifact->descriptor = descriptor;
  artifact->path = path;
  *out_artifact = artifact;
  return nullptr;
}

const kiln_abi_entry_t *entryAt(const kiln_artifact_t *artifact, uint32_t index) {
  if (!artifact || index >= artifact->descriptor->num_entries)
    return nullptr;
  return &artifact->descriptor->entries[index];
}

const char *orEmpty(const char *text) { return text ? text : ""; }

} // namespace

kiln_status_t kiln_artifact_load(const char *path, kiln_artifact_t **out_artifact) {
  if (!out_artifact)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_artifact_load: out_artifact is NULL");
  *out_artifact = nullptr;
  if (!path)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "kiln_artifact_load: path is NULL");
  return guardApi("kiln_artifact_load", [&] { return loadArtifact(path, out_artifact); });
}

void kiln_artifact_retain(kiln_artifact_t *artifact) {
  if (artifact)
    artifact->references.fetch_add(1, std::memory_order_relaxed);
}

void kiln_artifact_release(kiln_artifact_t *artifact) {
  if (!artifact || artifact->references.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  dlclose(artifact->library);
  delete artifact;
}

const char *kiln_artifact_path(const kiln_artifact_t *artifact) {
  return artifact ? artifact->path.c_str() : "";
}

uint32_t kiln_artifact_buffer_count(const kiln_artifact_t *artifact) {
  return artifact ? artifact->descriptor->num_buffers : 0;
}

kiln_buffer_info_t kiln_artifact_buffer_info(const kiln_artifact_t *artifact, uint32_t index) {
  if (index >= kiln_artifact_buffer_count(artifact))
    return kiln_buffer_info_t{};
  const kiln_abi_buffer_t &b = artifact->descriptor->buffers[index];
  return {b.name, static_cast<kiln_abi_role_t>(b.role), static_cast<kiln_abi_dtype_t>(b.dtype),
          b.rank, b.shape, b.byte_size};
}

int64_t kiln_artifact_find_buffer(const kiln_artifact_t *artifact, const char *name) {
  if (!name)
    return -1;
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact); ++i)
    if (std::strcmp(artifact->descriptor->buffers[i].name, name) == 0)
      return i;
  return -1;
}

uint32_t kiln_artifact_entry_count(const kiln_artifact_t *artifact) {
  return artifact ? artifact->descriptor->num_entries : 0;
}

const char *kiln_artifact_entry_name(const kiln_artifact_t *artifact, uint32_t index) {
  const kiln_abi_entry_t *entry = entryAt(artifact, index);
  return entry ? entry->name : nullptr;
}

uint32_t kiln_artifact_entry_arg_count(const kiln_artifact_t *artifact, uint32_t index) {
  const kiln_abi_entry_t *entry = entryAt(artifact, index);
  return entry ? entry->num_args : 0;
}

uint32_t kiln_artifact_entry_arg(const kiln_artifact_t *artifact, uint32_t index, uint32_t arg) {
  const kiln_abi_entry_t *entry = entryAt(artifact, index);
  return entry && arg < entry->num_args ? entry->arg_buffers[arg] : UINT32_MAX;
}

kiln_entry_memory_plan_t kiln_artifact_entry_memory_plan(const kiln_artifact_t *artifact,
                                                         uint32_t index) {
  const kiln_abi_entry_t *entry = entryAt(artifact, index);
  if (!entry)
    return kiln_entry_memory_plan_t{};
  return {entry->workspace_bytes, entry->planned_buffers, entry->heap_buffers,
          entry->planned_bytes};
}

int64_t kiln_artifact_find_entry(const kiln_artifact_t *artifact, const char *name) {
  if (!name)
    return -1;
  for (uint32_t i = 0; i < kiln_artifact_entry_count(artifact); ++i)
    if (std::strcmp(artifact->descriptor->entries[i].name, name) == 0)
      return i;
  return -1;
}

int64_t kiln_artifact_batch(const kiln_artifact_t *artifact) {
  return artifact ? artifact->descriptor->batch : 0;
}

const char *kiln_artifact_producer(const kiln_artifact_t *artifact) {
  return artifact ? orEmpty(artifact->descriptor->producer) : "";
}

const char *kiln_artifact_source(const kiln_artifact_t *artifact) {
  return artifact ? orEmpty(artifact->descriptor->source) : "";
}

const char *kiln_artifact_options(const kiln_artifact_t *artifact) {
  return artifact ? orEmpty(artifact->descriptor->options) : "";
}
