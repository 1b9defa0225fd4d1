// lluvia/imgproc/EdgeDetect_sobel.comp: EdgeDetect's last stage: the Sobel magnitude of the
// blurred gray (Float32) and, in the same dispatch, 255 where it reaches the threshold.
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_IMAGE_TYPE sampler2D
#define SOBEL_EDGES
#include "Sobel.glsl"
