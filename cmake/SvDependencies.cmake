# Third-party dependencies. Debian 12 packages; OpenImageIO, FFmpeg and sentencepiece via pkg-config because
# Debian's OpenImageIO CMake config is broken (it wants openimageio-tools and OpenCV headers).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 2.1 REQUIRED)  # the `sanavideo` command line (header-only; Debian: libcli11-dev)

# FFmpeg and OpenImageIO are optional (SV_WITH_FFMPEG / SV_WITH_OIIO, used when found): the device preset turns
# them off, for GPU boxes without them; that build still writes Y4M video and runs every graph that reads no
# MP4 or image file (the media functions throw an sv::Error saying what the build lacks).
option(SV_WITH_FFMPEG "Use FFmpeg for MP4 files when it is found" ON)
option(SV_WITH_OIIO "Use OpenImageIO for image files when it is found" ON)
pkg_check_modules(SENTENCEPIECE IMPORTED_TARGET sentencepiece)
if(SV_WITH_FFMPEG)
  pkg_check_modules(FFMPEG IMPORTED_TARGET libavformat libavcodec libavutil libswscale)
endif()
if(SV_WITH_OIIO)
  pkg_check_modules(OIIO IMPORTED_TARGET OpenImageIO)
endif()

if(SENTENCEPIECE_FOUND)
  message(STATUS "sentencepiece ${SENTENCEPIECE_VERSION}")
else()
  message(STATUS "sentencepiece not found: tokenizer.model support disabled (tokenizer.json still works)")
endif()
if(FFMPEG_FOUND)
  message(STATUS "FFmpeg found: MP4 output enabled")
else()
  message(STATUS "FFmpeg not found: MP4 output disabled")
endif()
if(OIIO_FOUND)
  message(STATUS "OpenImageIO ${OIIO_VERSION}: image input/output enabled")
else()
  message(STATUS "OpenImageIO not found: image files disabled")
endif()
