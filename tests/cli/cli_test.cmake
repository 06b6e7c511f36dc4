# Runs one `sanavideo` CLI case (CASE) and checks its output. Inputs: SANAVIDEO, REFERENCE_DIR, WORK_DIR, CASE.
cmake_minimum_required(VERSION 3.25)
if(DEFINED ENV{SV_REFERENCE_DIR} AND NOT "$ENV{SV_REFERENCE_DIR}" STREQUAL "")
  set(REF "$ENV{SV_REFERENCE_DIR}")
else()
  set(REF "${REFERENCE_DIR}")
endif()

include(${CMAKE_CURRENT_LIST_DIR}/cli_support.cmake)

if(CASE STREQUAL "full_size_counts")
  # The issue's acceptance numbers: parameter counts of the full-size configs, computed from the architecture.
  run_cli(0 out info "${REF}/full_size")
  expect_match("${out}" "\n  transformer +SanaVideoTransformer3DModel[^\n]* 2,056,862,144 parameters" "transformer count")
  expect_match("${out}" "\n  vae +AutoencoderKLWan[^\n]* 126,892,531 parameters" "VAE count")
  expect_match("${out}" "\n  text_encoder +Gemma2Model[^\n]* 2,614,341,888 parameters" "Gemma-2 count")
  expect_match("${out}" "\n  scheduler +DPMSolverMultistepScheduler" "scheduler class")
  # LongSANA (issue #13): the same transformer as a causal class, when the set has its full-size configs.
  if(EXISTS "${REF}/full_size/model_index_longsana.json")
    set(L "${WORK_DIR}/longsana")
    file(REMOVE_RECURSE "${L}")
    file(MAKE_DIRECTORY "${L}/transformer" "${L}/vae" "${L}/text_encoder" "${L}/scheduler")
    file(COPY "${REF}/full_size/transformer_longsana/config.json" DESTINATION "${L}/transformer")
    file(COPY "${REF}/full_size/vae/config.json" DESTINATION "${L}/vae")
    file(COPY "${REF}/full_size/text_encoder/config.json" DESTINATION "${L}/text_encoder")
    file(COPY "${REF}/full_size/scheduler_longsana/scheduler_config.json" DESTINATION "${L}/scheduler")
    file(COPY_FILE "${REF}/full_size/model_index_longsana.json" "${L}/model_index.json")
    run_cli(0 lout info "${L}")
    expect_match("${lout}" "\n  transformer +SanaVideoCausalTransformer3DModel[^\n]* 2,056,862,144 parameters"
                 "LongSANA transformer count")
  endif()

elseif(CASE STREQUAL "tiny_weights")
  # A model folder assembled from the tiny fixture models (with weights): headers must match the architecture.
  file(REMOVE_RECURSE "${WORK_DIR}")
  set(M "${WORK_DIR}/model")
  file(MAKE_DIRECTORY "${M}/transformer" "${M}/vae" "${M}/text_encoder" "${M}/scheduler")
  file(COPY "${REF}/transformer_tiny/config.json" "${REF}/transformer_tiny/diffusion_pytorch_model.safetensors"
       DESTINATION "${M}/transformer")
  file(COPY "${REF}/vae_tiny/config.json" "${REF}/vae_tiny/diffusion_pytorch_model.safetensors"
       DESTINATION "${M}/vae")
  file(COPY "${REF}/gemma2_tiny/config.json" "${REF}/gemma2_tiny/model.safetensors" DESTINATION "${M}/text_encoder")
  file(COPY "${REF}/schedulers/flow_euler_config/scheduler_config.json" DESTINATION "${M}/scheduler")
  file(WRITE "${M}/model_index.json" [=[{
 "_class_name": "SanaImageToVideoPipeline",
 "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
 "text_encoder": ["transformers", "Gemma2Model"],
 "tokenizer": [null, null],
 "transformer": ["diffusers", "SanaVideoTransformer3DModel"],
 "vae": ["diffusers", "AutoencoderKLWan"]
}]=])
  run_cli(0 out info "${M}")
  foreach(c transformer vae text_encoder)
    # "<N> parameters, weights F32, <N> parameters in 1 file(s) (match the architecture)": the same N twice.
    if(NOT out MATCHES "\n  ${c} [^\n]* ([0-9,]+) parameters, weights [A-Z0-9 +()a-z]+, ([0-9,]+) parameters in 1 file\\(s\\) \\(match the architecture\\)")
      message(FATAL_ERROR "expected ${c} weights matching the architecture")
    endif()
    if(NOT CMAKE_MATCH_1 STREQUAL CMAKE_MATCH_2)
      message(FATAL_ERROR "${c}: architecture count ${CMAKE_MATCH_1} != header count ${CMAKE_MATCH_2}")
    endif()
  endforeach()
  expect_match("${out}" "\n  tokenizer +\\(none\\)" "null tokenizer")
  # Wrong weights in the VAE folder: reported, exit code 1.
  file(REMOVE "${M}/vae/diffusion_pytorch_model.safetensors")
  file(COPY "${REF}/transformer_tiny/diffusion_pytorch_model.safetensors" DESTINATION "${M}/vae")
  run_cli(1 out info "${M}")
  expect_match("${out}" "\n  vae [^\n]*MISMATCH: [0-9]+ missing" "VAE mismatch")
  # A broken config: error naming the file and the key.
  file(WRITE "${M}/vae/config.json" "{\"base_dim\": \"x\"}")
  run_cli(1 out info "${M}")
  expect_match("${out}" "vae/config.json" "config path in the error")

elseif(CASE STREQUAL "full_size_720p_counts")
  # The 720p set (full_size/model_index_720p.json: transformer_720p/, vae_ltx2/) as a model folder: counts from the
  # architecture, the VAE family named.
  if(NOT EXISTS "${REF}/full_size/vae_ltx2/config.json")
    message(STATUS "no 720p configs in ${REF}/full_size: skipped")
    return()
  endif()
  file(REMOVE_RECURSE "${WORK_DIR}")
  set(M "${WORK_DIR}/model")
  file(MAKE_DIRECTORY "${M}/transformer" "${M}/vae" "${M}/text_encoder" "${M}/scheduler")
  file(COPY "${REF}/full_size/transformer_720p/config.json" DESTINATION "${M}/transformer")
  file(COPY "${REF}/full_size/vae_ltx2/config.json" DESTINATION "${M}/vae")
  file(COPY "${REF}/full_size/text_encoder/config.json" DESTINATION "${M}/text_encoder")
  file(COPY "${REF}/full_size/scheduler/scheduler_config.json" DESTINATION "${M}/scheduler")
  file(COPY_FILE "${REF}/full_size/model_index_720p.json" "${M}/model_index.json")
  run_cli(0 out info "${M}")
  expect_match("${out}" "\n  transformer +SanaVideoTransformer3DModel[^\n]* 2,057,148,928 parameters" "720p transformer count")
  expect_match("${out}" "\n  vae +AutoencoderKLLTX2Video[^\n]* 720p LTX-2 VAE, 1,222,479,601 parameters" "LTX-2 VAE count")

elseif(CASE STREQUAL "demo_720p")
  # make-demo-model --family 720p: the layout info reads back, and generate runs at 720p geometry.
  file(REMOVE_RECURSE "${WORK_DIR}")
  run_cli(0 out make-demo-model "${WORK_DIR}/model" --family 720p)
  run_cli(0 out info "${WORK_DIR}/model")
  expect_match("${out}" "\n  vae +AutoencoderKLLTX2Video[^\n]*720p LTX-2 VAE[^\n]*\\(match the architecture\\)" "LTX-2 VAE weights")
  expect_match("${out}" "\n  transformer [^\n]*\\(match the architecture\\)" "720p transformer weights")
  run_cli(0 out generate --model "${WORK_DIR}/model" --prompt "a red fox" --height 64 --width 96 --frames 9
          --steps 2 --no-binning --device cpu --out "${WORK_DIR}/fox.mp4")
  expect_match("${out}" "wrote [^\n]*9 frames, 96x64" "a 9-frame 96x64 video")
  run_cli(1 out generate --model "${WORK_DIR}/model" --prompt "a red fox" --height 48 --width 96 --frames 9
          --steps 1 --no-binning --device cpu --out "${WORK_DIR}/bad.mp4")
  expect_match("${out}" "multiple of 32" "the 720p size rule")

elseif(CASE STREQUAL "schedule")
  # Integer timesteps of the stored 4-step-or-more schedules must be printed exactly.
  foreach(kind dpmsolver_flow unipc_flow)
    file(READ "${REF}/schedulers/${kind}.json" fx)
    string(REPLACE "-Infinity" "null" fx "${fx}")  # Python's JSON dialect; CMake's parser is strict
    string(JSON count LENGTH "${fx}" schedules)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON n GET "${fx}" schedules ${i} num_inference_steps)
      run_cli(0 out schedule --config "${REF}/schedulers/${kind}_config/scheduler_config.json" --steps ${n})
      math(EXPR lastStep "${n} - 1")
      foreach(s RANGE ${lastStep})
        string(JSON t GET "${fx}" schedules ${i} timesteps ${s})
        expect_match("${out}" "\n +${s}  ${t} " "${kind} n=${n} step ${s} timestep ${t}")
      endforeach()
    endforeach()
  endforeach()
  run_cli(0 out schedule --scheduler euler --steps 3 --shift 1)
  expect_match("${out}" "\n +2  " "three euler steps")
  run_cli(1 out schedule --scheduler ddim --steps 3)
  expect_match("${out}" "unknown scheduler" "unknown scheduler error")
  run_cli(2 out schedule --steps 3)
else()
  message(FATAL_ERROR "unknown CASE ${CASE}")
endif()
