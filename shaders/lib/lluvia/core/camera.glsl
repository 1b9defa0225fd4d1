// lluvia/core/camera.glsl: the pinhole camera with lens distortion that lluvia's camera
// nodes take in a uniform buffer (std140), and the mapping from a pixel of the undistorted
// image to where it lies in the distorted one, for the standard (Brown-Conrady: radial k1,
// k2, k3 and tangential p1, p2, as OpenCV) and fisheye (Kannala-Brandt: k1 to k4) models.
#ifndef LL_CORE_CAMERA_GLSL
#define LL_CORE_CAMERA_GLSL

struct ll_camera {
    mat3 K;                     // intrinsics: camera-frame points to pixel coordinates
    mat3 Kinv;                  // the inverse of K: pixels to the normalized image plane
    vec4 radialDistortion;      // k1, k2, k3, k4 (k4: fisheye model only)
    vec4 tangentialDistortion;  // p1, p2 (standard model); z and w unused
};

// Where the undistorted pixel pixCoords is found in the distorted (captured) image, under
// the standard model.
vec2 ll_camera_standardInterpolationCoordinates(const ll_camera cam, const vec2 pixCoords)
{
    const vec2 p = (cam.Kinv * vec3(pixCoords, 1.0)).xy;
    const vec4 k = cam.radialDistortion;
    const vec2 t = cam.tangentialDistortion.xy;
    const float r2 = dot(p, p);
    const float radial = 1.0 + r2 * (k.x + r2 * (k.y + r2 * k.z));
    const float xy2 = 2.0 * p.x * p.y;
    const vec2 tangential = vec2(t.x * xy2 + t.y * (r2 + 2.0 * p.x * p.x),
                                 t.y * xy2 + t.x * (r2 + 2.0 * p.y * p.y));
    return (cam.K * vec3(p * radial + tangential, 1.0)).xy;
}

// The same under the fisheye model: the distorted radius is a polynomial in the angle of
// incidence theta = atan(r).
vec2 ll_camera_fisheyeInterpolationCoordinates(const ll_camera cam, const vec2 pixCoords)
{
    const vec2 p = (cam.Kinv * vec3(pixCoords, 1.0)).xy;
    const vec4 k = cam.radialDistortion;
    const float r = length(p);
    const float theta = atan(r);
    const float t2 = theta * theta;
    const float distorted = theta * (1.0 + t2 * (k.x + t2 * (k.y + t2 * (k.z + t2 * k.w))));
    // Near the optical axis the ratio tends to 1; guard the division.
    const float scale = r > 1e-6 ? distorted / r : 1.0;
    return (cam.K * vec3(p * scale, 1.0)).xy;
}

#endif
