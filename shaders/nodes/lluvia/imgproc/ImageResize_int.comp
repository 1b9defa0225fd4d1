// lluvia/imgproc/ImageResize_int.comp: bilinear resizing of images of int channels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define SAMPLER_TYPE isampler2D
#define IMAGE_TYPE iimage2D
#define VALUE_TYPE ivec4
#define ROUND(v) floor(0.5 + (v))
#include "ImageResize.glsl"
