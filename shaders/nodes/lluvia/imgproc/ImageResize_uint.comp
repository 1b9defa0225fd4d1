// lluvia/imgproc/ImageResize_uint.comp: bilinear resizing of images of uint channels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define SAMPLER_TYPE usampler2D
#define IMAGE_TYPE uimage2D
#define VALUE_TYPE uvec4
#define ROUND(v) floor(0.5 + (v))
#include "ImageResize.glsl"
