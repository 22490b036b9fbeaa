console.log('guarded-pipeline: not written yet')
